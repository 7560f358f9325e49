"""Domain errors of the reviewer: every failure a user can cause has a code."""

from __future__ import annotations

import re
from typing import Any

# Control characters, line and paragraph separators and bidi controls: a file or zip part
# name carrying them must not break the one-line message or disguise what it names.
_UNPRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with every control, separator and bidi character written as an escape."""
    return _UNPRINTABLE_RE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) > 0xFF
                               else f"\\x{ord(m.group()):02x}", text)


class ReviewError(Exception):
    """Base error: a stable machine-readable ``code`` and a one-line ``message`` (names
    quoted in it have their control and bidi characters escaped)."""

    code = "review_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        message = one_line(str(message))
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class IngestError(ReviewError):
    """The input file cannot be turned into reviewable text.

    Codes: ``empty_document``, ``scanned_pdf`` (no text layer), ``encrypted_file``,
    ``corrupt_file``, ``unsupported_format``, ``file_too_large``, ``undecodable_text``,
    ``file_not_found``.
    """

    code = "ingest_error"


class PlaybookError(ReviewError):
    """A playbook file is missing or invalid; ``details`` names file, line and problem."""

    code = "invalid_playbook"
