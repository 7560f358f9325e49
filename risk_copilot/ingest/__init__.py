"""Ingest contracts (TXT, Markdown, DOCX, PDF) into text with stable offsets and structure.

Public API: ``ingest_path``, ``ingest_bytes``, ``ingest_text`` and ``SUPPORTED_FORMATS``.
Every failure a user can cause raises ``IngestError`` with a code (see ``risk_copilot.errors``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from risk_copilot.document import IngestedDocument
from risk_copilot.errors import IngestError
from risk_copilot.ingest.detect import SUPPORTED_FORMATS, detect_format, normalize_format
from risk_copilot.ingest.plain_text import decode_text, read_markdown, read_plain_text

__all__ = ["SUPPORTED_FORMATS", "ingest_path", "ingest_bytes", "ingest_text"]

DEFAULT_MAX_BYTES = 25_000_000
# About 4.5 times the longest CUAD contract (335,519 characters). Review time grows with
# the number of clauses (each is embedded), so a 5 MB one-line text is refused rather
# than holding a worker for many minutes.
DEFAULT_MAX_CHARACTERS = 1_500_000


def _too_large(name: str, size: int, max_bytes: int) -> IngestError:
    return IngestError(
        f"The file '{name}' is {size:,} bytes, more than the {max_bytes:,} bytes allowed.",
        code="file_too_large",
        details={"name": name, "bytes": size, "max_bytes": max_bytes},
    )


def ingest_path(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES,
                max_characters: int = DEFAULT_MAX_CHARACTERS) -> IngestedDocument:
    """Read a contract file from disk (format from extension and magic bytes)."""
    p = Path(path)
    name = p.name or str(p)
    if not p.is_file():
        raise IngestError(
            f"The file '{p}' does not exist or is not a regular file.",
            code="file_not_found",
            details={"path": str(p)},
        )
    size = p.stat().st_size
    if size > max_bytes:
        raise _too_large(name, size, max_bytes)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"The file '{p}' does not exist.", code="file_not_found", details={"path": str(p)}) from None
    return ingest_bytes(data, name, max_bytes=max_bytes, max_characters=max_characters)


def _too_long(name: str, characters: int, max_characters: int) -> IngestError:
    return IngestError(
        f"The file '{name}' holds {characters:,} characters of text, more than the {max_characters:,} allowed.",
        code="file_too_large",
        details={"name": name, "characters": characters, "max_characters": max_characters},
    )


def ingest_bytes(
    data: bytes,
    name: str,
    *,
    format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_characters: int = DEFAULT_MAX_CHARACTERS,
) -> IngestedDocument:
    """Ingest the original bytes of a contract; ``format`` overrides detection.

    Refused with ``file_too_large``: more than ``max_bytes`` bytes, or more than
    ``max_characters`` characters of text."""
    name = Path(name).name or name or "document"
    if len(data) > max_bytes:
        raise _too_large(name, len(data), max_bytes)
    if not data.strip():
        raise _empty(name)
    fmt = detect_format(data, name, format)
    sha = hashlib.sha256(data).hexdigest()
    pages: int | None = None
    if fmt == "pdf":
        from risk_copilot.ingest.pdf_reader import read_pdf

        text, blocks, pages = read_pdf(data, name)
    elif fmt == "docx":
        from risk_copilot.ingest.docx_reader import read_docx

        text, blocks = read_docx(data, name)
    else:
        decoded = decode_text(data, name)
        if len(decoded) > max_characters:
            raise _too_long(name, len(decoded), max_characters)
        text, blocks = read_markdown(decoded) if fmt == "md" else read_plain_text(decoded)
    if not text.strip():
        raise _empty(name)
    if len(text) > max_characters:
        raise _too_long(name, len(text), max_characters)
    return IngestedDocument(name=name, format=fmt, sha256=sha, text=text, blocks=blocks, pages=pages)


def ingest_text(text: str, name: str = "input.txt", format: str = "txt", *,
                max_characters: int = DEFAULT_MAX_CHARACTERS) -> IngestedDocument:
    """Ingest text already in memory (``txt`` or ``md``); sha256 is of its UTF-8 bytes."""
    fmt = normalize_format(format, name)
    if fmt not in ("txt", "md"):
        raise IngestError(
            f"The text '{name}' cannot be ingested as '{fmt}'; only txt and md text is accepted.",
            code="unsupported_format",
            details={"name": name, "format": fmt},
        )
    if len(text) > max_characters:
        raise _too_long(name, len(text), max_characters)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    out, blocks = read_markdown(text) if fmt == "md" else read_plain_text(text)
    if not out.strip():
        raise _empty(name)
    return IngestedDocument(name=name, format=fmt, sha256=sha, text=out, blocks=blocks)


def _empty(name: str) -> IngestError:
    return IngestError(
        f"The file '{name}' contains no text to review.",
        code="empty_document",
        details={"name": name},
    )
