"""Adapter from the RiskReviewer port to the real engine in ``risk_copilot``.

The only module of clm_core that touches risk_copilot, and only lazily: the engine loads
models, so build one adapter per process and reuse it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from clm_core.errors import ReviewFailed
from clm_core.review_port import SEVERITIES, ReviewFinding, ReviewOutcome


class RiskCopilotReviewer:
    """``RiskReviewer`` backed by ``risk_copilot.engine.ReviewEngine``."""

    def __init__(self, engine: Any | None = None) -> None:
        self._engine = engine

    def _get_engine(self) -> Any:
        if self._engine is None:
            from risk_copilot.engine import ReviewEngine  # lazy: heavy models

            self._engine = ReviewEngine()
        return self._engine

    def review(self, text: str, contract_type: str, *, name: str) -> ReviewOutcome:
        try:
            review = self._get_engine().review_text(text, contract_type=contract_type, name=name)
        except Exception as exc:  # the engine's own errors carry a code
            code = getattr(exc, "code", "review_failed")
            raise ReviewFailed(f"risk review failed: {exc}", details={"reviewer_code": code}) from exc
        return outcome_from_review_json(review, text)


def outcome_from_review_json(review: dict, text: str) -> ReviewOutcome:
    """Map the review JSON of DESIGN.md onto the port's ``ReviewOutcome``."""
    findings = []
    for f in review.get("findings", []):
        severity = f.get("severity", "info")
        if severity not in SEVERITIES:
            severity = "info"
        evidence = f.get("evidence") or []
        findings.append(ReviewFinding(
            id=str(f["id"]), parameter=str(f.get("parameter", "")), category=str(f.get("category", "")),
            kind=str(f.get("kind", "deviation")), severity=severity, title=str(f.get("title", "")),
            approver_role=f.get("approver_role"), explanation=str(f.get("explanation", "")),
            evidence_text=" ... ".join(str(e.get("text", "")) for e in evidence)[:2000],
        ))
    playbook = review.get("playbook") or {}
    document = review.get("document") or {}
    sha = document.get("sha256") or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return ReviewOutcome(
        review_id=str(review["review_id"]), decision=str(review["decision"]),
        risk_score=int(round(float(review.get("risk_score", 0)))),
        approvers=list(review.get("approvers") or []), findings=findings,
        playbook_id=str(playbook.get("id", "")), playbook_version=str(playbook.get("version", "")),
        document_sha256=sha, raw=review,
    )
