"""Domain errors of the reviewer: every failure a user can cause has a code."""

from __future__ import annotations

from typing import Any


class ReviewError(Exception):
    """Base error: a stable machine-readable ``code`` and a one-line ``message``."""

    code = "review_error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
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
