"""PDF with a text layer via pypdf: page texts joined by a blank line.

Encrypted PDFs are opened with the empty user password when possible (many PDFs are
"encrypted" only to restrict printing); otherwise ``encrypted_file``. A PDF where no
page has extractable text is a scan: ``scanned_pdf``, never an empty review.
"""

from __future__ import annotations

import io
import logging
import re

from risk_copilot.document import Block
from risk_copilot.errors import IngestError
from risk_copilot.ingest.plain_text import BlockTextBuilder, normalize_text

_SPACES_RE = re.compile(r"[ \t]{2,}")
_TRAILING_RE = re.compile(r"[ \t]+\n")
_BLANKS_RE = re.compile(r"\n[ \t]*\n[\s]*")


def _corrupt(name: str, why: str) -> IngestError:
    return IngestError(
        f"The file '{name}' is not a readable PDF ({why}).",
        code="corrupt_file",
        details={"name": name, "reason": why},
    )


def read_pdf(data: bytes, name: str) -> tuple[str, tuple[Block, ...], int]:
    """Return (text, blocks, page count)."""
    if b"%PDF-" not in data[:1024]:
        raise _corrupt(name, "no PDF header")
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for damaged files
        raise _corrupt(name, type(exc).__name__) from None
    if encrypted:
        try:
            ok = reader.decrypt("")
        except Exception:  # noqa: BLE001 - e.g. DependencyError for AES without cryptography
            ok = 0
        if not ok:
            raise IngestError(
                f"The file '{name}' is an encrypted PDF that needs a password to open.",
                code="encrypted_file",
                details={"name": name},
            )
    try:
        pages = list(reader.pages)
    except FileNotDecryptedError:
        raise IngestError(
            f"The file '{name}' is an encrypted PDF that needs a password to open.",
            code="encrypted_file",
            details={"name": name},
        ) from None
    except Exception as exc:  # noqa: BLE001
        raise _corrupt(name, type(exc).__name__) from None
    if not pages:
        raise _corrupt(name, "no pages")

    out = BlockTextBuilder()
    failures = 0
    for page in pages:
        try:
            raw = page.extract_text() or ""
        except Exception:  # noqa: BLE001 - one bad page should not lose the others
            failures += 1
            continue
        text = clean_page_text(raw)
        out.page_break()
        for index, para in enumerate(p for p in re.split(r"\n\s*\n", text) if p.strip()):
            if index == 0 and out.parts and runs_on(out.parts[-1], para):
                out.extend_last(para)  # a sentence cut by the page break
            else:
                out.add(para, "paragraph")
    if failures == len(pages):
        raise _corrupt(name, "no page could be read")
    if not out.text.strip():
        raise IngestError(
            f"The file '{name}' is a scanned PDF with no text layer; run OCR first.",
            code="scanned_pdf",
            details={"name": name, "pages": len(pages)},
        )
    return out.text, tuple(out.blocks), len(pages)


_NEW_ITEM_RE = re.compile(r"^\s*(\*\*|#|[-•*]\s|\(?[0-9a-zA-Z]{1,3}[.)]\s|(section|article|schedule|exhibit)\b)",
                          re.IGNORECASE)


def runs_on(previous: str, following: str) -> bool:
    """Whether a page's first paragraph continues the previous page's last one: that one
    stops mid-sentence (a word or a comma, no closing punctuation) and this one does not
    start a new item (a heading, a number, a bullet)."""
    tail = previous.rstrip()
    return bool(tail) and (tail[-1].isalnum() or tail[-1] == ",") and not tail[-1].isdigit() \
        and following.lstrip()[:1].isalpha() and not _NEW_ITEM_RE.match(following)


def clean_page_text(raw: str) -> str:
    """Normalise one page: controls dropped, runs of spaces collapsed, blank lines tidied."""
    text = normalize_text(raw)
    text = _SPACES_RE.sub(" ", text)
    text = _TRAILING_RE.sub("\n", text)
    text = _BLANKS_RE.sub("\n\n", text)
    return text.strip()
