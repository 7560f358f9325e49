"""Format detection from the file name's extension and the content's magic bytes.

Magic bytes win for the binary formats we read (PDF, DOCX): a PDF named ``.txt`` is
read as PDF. Known binary formats we do not read (images, legacy ``.doc``, archives,
executables) are rejected even when named ``.txt``. A file whose extension promises
PDF or DOCX but whose bytes do not match is reported as corrupt by the reader.
"""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from pathlib import PurePath

from risk_copilot.errors import IngestError

SUPPORTED_FORMATS: tuple[str, ...] = ("txt", "md", "docx", "pdf")

EXTENSION_FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".mdown": "md",
    ".docx": "docx",
    ".pdf": "pdf",
}

FORMAT_ALIASES: dict[str, str] = {
    "txt": "txt",
    "text": "txt",
    "plain": "txt",
    "text/plain": "txt",
    "md": "md",
    "markdown": "md",
    "text/markdown": "md",
    "docx": "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "pdf": "pdf",
    "application/pdf": "pdf",
}

# What ``zipfile`` raises on damaged or unusual archives (found by fuzzing: a header
# claiming zip version 6.9 raises NotImplementedError; a bad UTF-8 name, ValueError;
# an encrypted entry, RuntimeError; LZMA/bzip2 data, LZMAError/OSError).
ZIP_READ_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError, LookupError,
    zlib.error, lzma.LZMAError, struct.error,
)

# Binary formats we recognise but cannot review.
_FOREIGN_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office (.doc/.xls) file"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "an executable"),
    (b"{\\rtf", "an RTF document"),
)


def normalize_format(format: str, name: str) -> str:
    """Map a declared format (``"markdown"``, a MIME type, ...) to one of SUPPORTED_FORMATS."""
    fmt = FORMAT_ALIASES.get(format.strip().lower().lstrip("."))
    if fmt is None:
        raise IngestError(
            f"The file '{name}' was declared as format '{format}', which is not one of "
            f"{', '.join(SUPPORTED_FORMATS)}.",
            code="unsupported_format",
            details={"name": name, "format": format},
        )
    return fmt


def sniff_magic(data: bytes) -> str | None:
    """Return ``"pdf"``, ``"docx"``, ``"zip"`` (other zip), or None from the leading bytes."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except ZIP_READ_ERRORS:
            return "zip"
        return "docx" if "word/document.xml" in names else "zip"
    return None


def foreign_binary(data: bytes) -> str | None:
    """Describe a known binary format we do not read, or None."""
    for magic, what in _FOREIGN_MAGIC:
        if data.startswith(magic):
            return what
    return None


def detect_format(data: bytes, name: str, declared: str | None = None) -> str:
    """Decide which reader handles ``data`` (named ``name``).

    Raises IngestError(``unsupported_format``) when neither the extension nor the
    content identifies a supported format.
    """
    if declared:
        return normalize_format(declared, name)
    ext = PurePath(name).suffix.lower()
    by_ext = EXTENSION_FORMATS.get(ext)
    magic = sniff_magic(data)
    if magic in ("pdf", "docx"):
        return magic
    if magic == "zip":
        if by_ext == "docx":
            return "docx"  # the DOCX reader reports what is wrong with the archive
        raise IngestError(
            f"The file '{name}' is a zip archive, not a Word (.docx) document.",
            code="unsupported_format",
            details={"name": name},
        )
    foreign = foreign_binary(data)
    if foreign is not None and by_ext not in ("pdf", "docx"):
        raise IngestError(
            f"The file '{name}' is {foreign}, which cannot be reviewed; "
            f"supported formats are {', '.join(SUPPORTED_FORMATS)}.",
            code="unsupported_format",
            details={"name": name},
        )
    if by_ext is not None:
        return by_ext
    if ext == "" and looks_like_text(data):
        return "txt"
    raise IngestError(
        f"The file '{name}' has an unsupported format; supported formats are "
        f"{', '.join(SUPPORTED_FORMATS)}.",
        code="unsupported_format",
        details={"name": name, "extension": ext},
    )


def looks_like_text(data: bytes) -> bool:
    """Cheap sniff: no BOM-less UTF-16 and few control bytes in the first 8 KB."""
    sample = data[:8192]
    if not sample:
        return True
    if sample.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    bad = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bad / len(sample) < 0.05
