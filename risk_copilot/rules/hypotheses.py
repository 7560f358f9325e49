"""Rule kind on ContractNLI's NDA hypotheses: ``nli_hypothesis``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from risk_copilot.nda_hypotheses import HYPOTHESIS_BY_CATEGORY
from risk_copilot.rules.context import FindingDraft, RuleContext, quote
from risk_copilot.rules.registry import RuleOptions, rule_kind


class NliHypothesisOptions(RuleOptions):
    hypothesis: str = Field(description="the hypothesis as its category, e.g. nda_return_of_confidential_information")
    position: Literal["required", "forbidden"] = Field(
        description="required: a contradiction is a finding; forbidden: an entailment is a finding"
    )
    min_probability: float = Field(0.5, ge=0, le=1, description="least probability of the offending label that counts")
    when_not_mentioned: bool = Field(
        False, description="for a required hypothesis, also a finding (kind missing) when the contract does not mention it"
    )

    @field_validator("hypothesis")
    @classmethod
    def _known_hypothesis(cls, value: str) -> str:
        if value not in HYPOTHESIS_BY_CATEGORY:
            raise ValueError(f"unknown hypothesis {value!r}; known: {', '.join(sorted(HYPOTHESIS_BY_CATEGORY))}")
        return value


@rule_kind("nli_hypothesis", NliHypothesisOptions)
def nli_hypothesis(options: NliHypothesisOptions, context: RuleContext) -> list[FindingDraft]:
    """An NDA must entail the hypotheses the playbook requires and not those it forbids.

    Reads the NDA hypothesis model's verdict on ``hypothesis`` (one of ContractNLI's 17,
    named by category; the engine runs the model for playbooks that use this kind):
    with ``position: required``, a Contradiction with probability at least
    ``min_probability`` gives a finding of kind ``deviation``; with ``position: forbidden``,
    an Entailment does. The evidence is the clauses the model ranks as evidence for the
    hypothesis. With ``when_not_mentioned``, a required hypothesis the contract does not
    mention gives a finding of kind ``missing`` with no evidence. Without a verdict (the
    model did not run) there is no finding.
    """
    verdict = (context.hypotheses or {}).get(options.hypothesis)
    if verdict is None:
        return []
    hypothesis = HYPOTHESIS_BY_CATEGORY[options.hypothesis]
    parameter = context.parameter
    statement = hypothesis.text.rstrip(".")
    offending = "Contradiction" if options.position == "required" else "Entailment"
    probability = verdict.probabilities.get(offending, 0.0)
    if probability >= options.min_probability and verdict.label == offending:
        first = verdict.evidence[0] if verdict.evidence else None
        said = f" The contract says: \"{quote(first.text)}\"" if first is not None else ""
        if options.position == "required":
            title = f"{parameter.title}: the NDA says otherwise"
            explanation = (f"The playbook expects that {statement[0].lower()}{statement[1:]}; "
                           f"this NDA says the opposite (model confidence {probability:.2f}).{said}")
        else:
            title = f"{parameter.title}: not acceptable"
            explanation = (f"The playbook does not accept that {statement[0].lower()}{statement[1:]}; "
                           f"this NDA provides for it (model confidence {probability:.2f}).{said}")
        return [FindingDraft(kind="deviation" if options.position == "required" else "unacceptable",
                             title=title, explanation=explanation, evidence=list(verdict.evidence),
                             values={"hypothesis": options.hypothesis, "label": verdict.label},
                             confidence=round(probability, 2))]
    not_mentioned = verdict.probabilities.get("NotMentioned", 0.0)
    if (options.when_not_mentioned and options.position == "required" and verdict.label == "NotMentioned"
            and not_mentioned >= options.min_probability):
        return [FindingDraft(
            kind="missing", title=f"{parameter.title}: not in the NDA",
            explanation=(f"The playbook expects that {statement[0].lower()}{statement[1:]}; this NDA does not say so "
                         f"(model confidence {not_mentioned:.2f}). Standard position: {quote(parameter.standard, 200)}"),
            values={"hypothesis": options.hypothesis, "label": verdict.label}, confidence=round(not_mentioned, 2),
        )]
    return []
