"""A deterministic stand-in reviewer: flags known risky phrases.

Used by unit and acceptance tests (and by ``--reviewer phrase`` demos) where the real
engine's models are not wanted. Each trigger phrase found in the text yields a finding.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from clm_core.review_port import ReviewFinding, ReviewOutcome


@dataclass(frozen=True)
class PhraseRule:
    phrase: str
    parameter: str
    category: str
    kind: str
    severity: str
    title: str
    approver_role: str
    contract_type: str | None = None
    absent: bool = False  # the finding fires when the phrase is missing


DEFAULT_RULES = (
    PhraseRule("Supplier may terminate this Agreement for convenience", "termination-for-convenience",
               "termination_for_convenience", "unacceptable", "high",
               "Supplier may terminate for convenience", "legal", "procurement"),
    PhraseRule("without any limit on liability", "liability-cap", "uncapped_liability", "unacceptable",
               "high", "Liability is uncapped", "legal", "procurement"),
    PhraseRule("Limitation of Liability.", "liability-cap", "cap_on_liability", "missing", "high",
               "No limitation of liability", "legal", "procurement", absent=True),
    PhraseRule("with any third party it chooses", "sharing-with-third-parties",
               "nda_sharing_with_third_parties", "unacceptable", "high",
               "Recipient may share with any third party", "legal", "nda"),
)


class PhraseRiskReviewer:
    """Fake ``RiskReviewer``: findings for phrases, ``escalate`` when any is high."""

    def __init__(self, rules: tuple[PhraseRule, ...] = DEFAULT_RULES, playbook_version: str = "1") -> None:
        self.rules = rules
        self.playbook_version = playbook_version
        self.calls: list[tuple[str, str]] = []

    def review(self, text: str, contract_type: str, *, name: str) -> ReviewOutcome:
        self.calls.append((contract_type, name))
        findings = []
        for rule in self.rules:
            if rule.contract_type not in (None, contract_type) or (rule.phrase in text) == rule.absent:
                continue
            findings.append(ReviewFinding(
                id=f"f{len(findings) + 1}", parameter=rule.parameter, category=rule.category,
                kind=rule.kind, severity=rule.severity, title=rule.title,
                approver_role=rule.approver_role, evidence_text="" if rule.absent else rule.phrase))
        high = [f for f in findings if f.severity == "high"]
        decision = "escalate" if high else "approve"
        return ReviewOutcome(
            review_id=f"rv_{uuid.uuid4().hex[:12]}", decision=decision,
            risk_score=min(100, 40 * len(high) + 10 * (len(findings) - len(high))),
            approvers=sorted({f.approver_role for f in findings if f.approver_role}),
            findings=findings, playbook_id=contract_type, playbook_version=self.playbook_version,
            document_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
