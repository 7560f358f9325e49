"""Contract statuses (Dynamics 365 SCM CLM vocabulary) and the one transition table."""

from __future__ import annotations

from enum import StrEnum

from clm_core.errors import InvalidTransition


class ContractStatus(StrEnum):
    DRAFT = "Draft"
    WAITING_FOR_REVIEW = "WaitingForReview"
    REVIEWED = "Reviewed"
    WAITING_FOR_APPROVAL = "WaitingForApproval"
    APPROVED = "Approved"
    REJECTED = "Rejected"
    WAITING_FOR_EXTERNAL_SIGNATURES = "WaitingForExternalSignatures"
    WAITING_FOR_INTERNAL_SIGNATURES = "WaitingForInternalSignatures"
    EXECUTED = "Executed"
    ON_HOLD = "OnHold"
    TERMINATED = "Terminated"
    EXPIRED = "Expired"
    CANCELLED = "Cancelled"


class AgreementStatus(StrEnum):
    ON_HOLD = "OnHold"
    EFFECTIVE = "Effective"
    CLOSED = "Closed"


S = ContractStatus
PREVIOUS = "<previous>"  # release_hold returns to the status the contract was held from

_CANCELLABLE = (S.DRAFT, S.WAITING_FOR_REVIEW, S.REVIEWED, S.WAITING_FOR_APPROVAL,
                S.APPROVED, S.REJECTED, S.ON_HOLD)
_HOLDABLE = (S.DRAFT, S.REVIEWED, S.WAITING_FOR_APPROVAL, S.APPROVED, S.EXECUTED)

# (action, from status) -> to status. Any move not listed here is a domain error.
TRANSITIONS: dict[tuple[str, ContractStatus], ContractStatus | str] = {
    ("submit", S.DRAFT): S.WAITING_FOR_REVIEW,
    ("record_review", S.WAITING_FOR_REVIEW): S.REVIEWED,
    ("review_failed", S.WAITING_FOR_REVIEW): S.DRAFT,
    ("request_approval", S.REVIEWED): S.WAITING_FOR_APPROVAL,
    ("approve", S.WAITING_FOR_APPROVAL): S.APPROVED,
    ("reject", S.WAITING_FOR_APPROVAL): S.REJECTED,
    ("revise", S.REVIEWED): S.DRAFT,
    ("revise", S.WAITING_FOR_APPROVAL): S.DRAFT,
    ("revise", S.REJECTED): S.DRAFT,
    ("revise", S.APPROVED): S.DRAFT,
    ("send_for_signature", S.APPROVED): S.WAITING_FOR_EXTERNAL_SIGNATURES,
    ("external_signed", S.WAITING_FOR_EXTERNAL_SIGNATURES): S.WAITING_FOR_INTERNAL_SIGNATURES,
    ("internal_signed", S.WAITING_FOR_INTERNAL_SIGNATURES): S.EXECUTED,
    ("signature_stopped", S.WAITING_FOR_EXTERNAL_SIGNATURES): S.APPROVED,
    ("signature_stopped", S.WAITING_FOR_INTERNAL_SIGNATURES): S.APPROVED,
    ("amend", S.EXECUTED): S.DRAFT,
    ("terminate", S.EXECUTED): S.TERMINATED,
    ("expire", S.EXECUTED): S.EXPIRED,
    ("renew", S.EXECUTED): S.EXECUTED,
    ("renew", S.EXPIRED): S.EXECUTED,
    ("release_hold", S.ON_HOLD): PREVIOUS,
    **{("hold", s): S.ON_HOLD for s in _HOLDABLE},
    **{("cancel", s): S.CANCELLED for s in _CANCELLABLE},
}

TERMINAL = frozenset({S.TERMINATED, S.CANCELLED})


def next_status(current: str, action: str, *, held_from: str | None = None) -> ContractStatus:
    """Return the status ``action`` leads to from ``current`` or raise ``InvalidTransition``."""
    status = ContractStatus(current)
    target = TRANSITIONS.get((action, status))
    if target is None:
        allowed = sorted(a for (a, s) in TRANSITIONS if s == status)
        raise InvalidTransition(
            f"cannot {action} a contract in status {status.value}",
            details={"status": status.value, "action": action, "allowed_actions": allowed},
        )
    if target == PREVIOUS:
        if not held_from:
            raise InvalidTransition("the contract has no status to return to", details={"action": action})
        return ContractStatus(held_from)
    return ContractStatus(target)


def allowed_actions(current: str) -> list[str]:
    status = ContractStatus(current)
    return sorted({a for (a, s) in TRANSITIONS if s == status})
