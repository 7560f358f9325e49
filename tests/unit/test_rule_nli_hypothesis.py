"""The ``nli_hypothesis`` rule kind on hand-made verdicts of the NDA hypothesis model."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from risk_copilot.nda_hypotheses import HypothesisVerdict
from risk_copilot.playbook import Playbook, RiskParameter, RuleSpec
from risk_copilot.rules.context import RuleContext
from risk_copilot.rules.registry import evaluate_rule, validate_rule_spec

CATEGORY = "nda_return_of_confidential_information"


@dataclass(frozen=True)
class FakeClause:
    id: str
    text: str
    start: int = 0
    end: int = 10


PARAMETER = RiskParameter(
    id="return-or-destruction", title="Return or destruction of materials", category=CATEGORY, severity="low",
    approver_role="contract_manager", standard="The Recipient returns or destroys Confidential Information on request.",
    fallback="The Recipient destroys Confidential Information when the Agreement ends.",
)
PLAYBOOK = Playbook(id="t", version="1", contract_type="nda", title="t", our_side="either", parameters=[PARAMETER])
KEEP = FakeClause("c4", "The Recipient may keep all Confidential Information and need not return or destroy it.")


def verdict(label: str, probabilities: dict[str, float], evidence=(KEEP,)) -> HypothesisVerdict:
    return HypothesisVerdict(category=CATEGORY, label=label, probabilities=probabilities,
                             evidence=list(evidence), evidence_scores=[0.9] * len(evidence))


def run(options: dict, verdicts: dict | None):
    spec = RuleSpec(kind="nli_hypothesis", **options)
    assert validate_rule_spec(spec) is None
    context = RuleContext(playbook=PLAYBOOK, parameter=PARAMETER, spec=spec, matches=[], clauses=[KEEP],
                          clause_values={}, text=KEEP.text, hypotheses=verdicts)
    return evaluate_rule(spec, context)


CONTRADICTED = {CATEGORY: verdict("Contradiction", {"Entailment": 0.1, "Contradiction": 0.8, "NotMentioned": 0.1})}
ENTAILED = {CATEGORY: verdict("Entailment", {"Entailment": 0.85, "Contradiction": 0.05, "NotMentioned": 0.1})}
NOT_MENTIONED = {CATEGORY: verdict("NotMentioned", {"Entailment": 0.2, "Contradiction": 0.0, "NotMentioned": 0.8}, ())}


def test_a_contradicted_required_hypothesis_is_a_deviation_with_the_evidence():
    drafts = run({"hypothesis": CATEGORY, "position": "required"}, CONTRADICTED)
    assert len(drafts) == 1
    assert drafts[0].kind == "deviation" and drafts[0].evidence == [KEEP]
    assert "need not return" in drafts[0].explanation and "0.80" in drafts[0].explanation
    assert drafts[0].values == {"hypothesis": CATEGORY, "label": "Contradiction"}


def test_an_entailed_required_hypothesis_gives_nothing():
    assert run({"hypothesis": CATEGORY, "position": "required"}, ENTAILED) == []


def test_an_entailed_forbidden_hypothesis_is_unacceptable():
    drafts = run({"hypothesis": CATEGORY, "position": "forbidden"}, ENTAILED)
    assert [d.kind for d in drafts] == ["unacceptable"] and drafts[0].confidence == 0.85
    assert run({"hypothesis": CATEGORY, "position": "forbidden"}, CONTRADICTED) == []


def test_min_probability_holds_back_unsure_verdicts():
    assert run({"hypothesis": CATEGORY, "position": "required", "min_probability": 0.9}, CONTRADICTED) == []


def test_not_mentioned_is_a_finding_only_when_asked():
    assert run({"hypothesis": CATEGORY, "position": "required"}, NOT_MENTIONED) == []
    drafts = run({"hypothesis": CATEGORY, "position": "required", "when_not_mentioned": True}, NOT_MENTIONED)
    assert [d.kind for d in drafts] == ["missing"] and drafts[0].evidence == []


def test_no_verdict_no_finding():
    assert run({"hypothesis": CATEGORY, "position": "required"}, None) == []
    assert run({"hypothesis": CATEGORY, "position": "required"}, {}) == []


@pytest.mark.parametrize("options, problem", [
    ({"hypothesis": "nda_unknown", "position": "required"}, "unknown hypothesis"),
    ({"hypothesis": CATEGORY, "position": "maybe"}, "position"),
    ({"hypothesis": CATEGORY, "position": "required", "min_probability": 1.5}, "min_probability"),
    ({"hypothesis": CATEGORY, "position": "required", "colour": "red"}, "colour"),
])
def test_bad_options_are_reported(options, problem):
    assert problem in (validate_rule_spec(RuleSpec(kind="nli_hypothesis", **options)) or "")
