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


TYPE_NAMES = {"nda": "a non-disclosure agreement", "procurement": "a procurement contract",
              "other": "neither an NDA nor a procurement contract"}
MISMATCH_CONFIDENCE = 0.8


def type_mismatch_finding(reviewed_as: str, detected: str, confidence: float) -> dict[str, Any] | None:
    """A finding when the document does not look like the contract type it is reviewed as:
    medium when it looks like another type we have a playbook for (the review used the
    wrong positions), info when it looks like something else entirely."""
    if detected == reviewed_as or confidence < MISMATCH_CONFIDENCE:
        return None
    severity = "info" if detected == "other" else "medium"
    advice = (f"Review it with the {detected} playbook instead." if detected != "other"
              else "Findings compare it with positions written for another kind of contract; read them with care.")
    return {
        "id": "f0", "parameter": "contract-type", "category": "contract_type_mismatch", "kind": "inconsistency",
        "severity": severity,
        "title": f"This looks like {TYPE_NAMES.get(detected, detected)}, not {TYPE_NAMES.get(reviewed_as, reviewed_as)}",
        "explanation": (f"The document was reviewed as {TYPE_NAMES.get(reviewed_as, reviewed_as)}, but its title and "
                        f"wording read like {TYPE_NAMES.get(detected, detected)} (confidence {confidence:.2f}). {advice}"),
        "evidence": [], "expected": f"A document of type {reviewed_as}", "suggestion": advice,
        "values": {"reviewed_as": reviewed_as, "detected": detected, "confidence": confidence},
        "confidence": confidence, "approver_role": "contract_manager", "rule": "contract_type",
    }


def not_a_contract_finding(reviewed_as: str) -> dict[str, Any]:
    """A finding for a document that does not read like a contract at all: its other
    findings (mostly ``missing``) say little, and a person should look at what was sent."""
    name = TYPE_NAMES.get(reviewed_as, reviewed_as)
    return {
        "id": "f0", "parameter": "contract-type", "category": "contract_type_mismatch", "kind": "inconsistency",
        "severity": "medium",
        "title": "This does not read like a contract",
        "explanation": (f"The document was reviewed as {name}, but it has hardly any contract wording (no agreement, "
                        "parties or obligations). The missing-clause findings may only mean that the wrong file "
                        "was sent."),
        "evidence": [], "expected": f"The text of {name}",
        "suggestion": "Check that this is the contract to review, then review the right file.",
        "values": {"reviewed_as": reviewed_as, "detected": "not_a_contract"},
        "confidence": 0.9, "approver_role": "contract_manager", "rule": "contract_type",
    }


def merge_duplicate_findings(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep one finding per (parameter, evidence): the most severe; drop a parameter's
    ``missing`` finding when a finding at least as severe already flags a clause of that
    parameter (an unacceptable sharing clause also lacks the protective wording: one
    finding, not two); renumber."""
    kept: dict[tuple, dict[str, Any]] = {}
    for finding in findings:
        key = (finding["parameter"], tuple((e["start"], e["end"]) for e in finding["evidence"]))
        other = kept.get(key)
        if other is None or SEVERITY_ORDER[finding["severity"]] > SEVERITY_ORDER[other["severity"]]:
            kept[key] = finding
    flagged: dict[str, int] = {}
    for finding in kept.values():
        if finding["kind"] != "missing" and finding["evidence"]:
            rank = SEVERITY_ORDER[finding["severity"]]
            flagged[finding["parameter"]] = max(rank, flagged.get(finding["parameter"], -1))
    kept = {key: f for key, f in kept.items()
            if not (f["kind"] == "missing" and flagged.get(f["parameter"], -1) >= SEVERITY_ORDER[f["severity"]])}
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
