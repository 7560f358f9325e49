"""The port through which the lifecycle asks for a risk review.

clm_core never imports the reviewer; ``reviewer_adapter`` plugs the real engine in and
tests plug in a fake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

DECISIONS = ("approve", "escalate", "reject")
SEVERITIES = ("info", "low", "medium", "high")


@dataclass(frozen=True)
class ReviewFinding:
    id: str
    parameter: str
    category: str
    kind: str
    severity: str
    title: str
    approver_role: str | None = None
    explanation: str = ""
    evidence_text: str = ""

    @property
    def flagged(self) -> bool:
        """A finding someone must accept before approval: medium or high severity."""
        return SEVERITIES.index(self.severity) >= SEVERITIES.index("medium")


@dataclass(frozen=True)
class ReviewOutcome:
    review_id: str
    decision: str  # approve | escalate | reject
    risk_score: int
    approvers: list[str]
    findings: list[ReviewFinding]
    playbook_id: str
    playbook_version: str
    document_sha256: str
    raw: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ValueError(f"unknown review decision {self.decision!r}")


@runtime_checkable
class RiskReviewer(Protocol):
    def review(self, text: str, contract_type: str, *, name: str) -> ReviewOutcome:
        """Review ``text`` against the playbook of ``contract_type``."""
        ...
