"""Domain errors of the contract lifecycle: every refusal has a stable ``code``."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base error: a machine-readable ``code``, a one-line ``message`` and optional ``details``."""

    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidTransition(DomainError):
    code = "invalid_transition"
    http_status = 409


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class ValidationFailed(DomainError):
    code = "validation_failed"
    http_status = 422


class ConcurrencyConflict(DomainError):
    """Someone else changed the record since it was read (optimistic locking)."""

    code = "concurrent_update"
    http_status = 409


class ApprovalBlocked(DomainError):
    """Approval or execution is blocked: unresolved findings or missing approvals."""

    code = "approval_blocked"
    http_status = 409


class SignatureError(DomainError):
    code = "signature_error"
    http_status = 400


class ReleaseOrderRefused(DomainError):
    code = "release_order_refused"
    http_status = 409


class ReviewFailed(DomainError):
    """The risk reviewer could not review the document."""

    code = "review_failed"
    http_status = 502
