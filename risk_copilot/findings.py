"""Findings in the review JSON shape, the risk score and the decision."""

from __future__ import annotations

from typing import Any

from risk_copilot.playbook import SEVERITY_ORDER, Playbook, RiskParameter, RuleSpec
from risk_copilot.rules.context import FindingDraft


def evidence_span(clause: Any) -> dict[str, Any]:
    return {"clause_id": clause.id, "start": clause.start, "end": clause.end, "text": clause.text}


def build_finding(number: int, parameter: RiskParameter, spec: RuleSpec, draft: FindingDraft) -> dict[str, Any]:
    severity = draft.severity or spec.severity or parameter.severity
    return {
        "id": f"f{number}",
        "parameter": parameter.id,
        "category": parameter.category,
        "kind": spec.finding_kind or draft.kind,
        "severity": severity,
        "title": spec.title.format(**draft.values) if spec.title else draft.title,
        "explanation": draft.explanation,
        "evidence": [evidence_span(c) for c in draft.evidence],
        "expected": parameter.standard,
        "suggestion": parameter.fallback,
        "values": draft.values,
        "confidence": draft.confidence,
        "approver_role": parameter.approver_role,
        "rule": spec.kind,
    }


def merge_duplicate_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep one finding per (parameter, evidence): the most severe; renumber."""
    kept: dict[tuple, dict[str, Any]] = {}
    for finding in findings:
        key = (finding["parameter"], tuple((e["start"], e["end"]) for e in finding["evidence"]))
        other = kept.get(key)
        if other is None or SEVERITY_ORDER[finding["severity"]] > SEVERITY_ORDER[other["severity"]]:
            kept[key] = finding
    ordered = sorted(
        kept.values(),
        key=lambda f: (-SEVERITY_ORDER[f["severity"]], f["evidence"][0]["start"] if f["evidence"] else 1 << 40),
    )
    for number, finding in enumerate(ordered, 1):
        finding["id"] = f"f{number}"
    return ordered


def decide(findings: list[dict[str, Any]], playbook: Playbook) -> tuple[int, str, list[str]]:
    """Risk score 0..100, decision approve/escalate/reject, and approver roles needed."""
    policy = playbook.decision
    score = min(100, sum(policy.weights.get(f["severity"], 0) for f in findings))
    threshold = SEVERITY_ORDER[policy.escalate_at_severity]
    serious = [f for f in findings if SEVERITY_ORDER[f["severity"]] >= threshold]
    approvers = sorted({f["approver_role"] for f in serious})
    if score >= policy.reject_at:
        decision = "reject"
    elif serious:
        decision = "escalate"
    else:
        decision = "approve"
    if decision == "approve":
        approvers = [policy.default_approver]
    return score, decision, approvers
