"""Rule kinds about whether a topic is in the contract at all: ``required``, ``forbidden``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from risk_copilot.rules.context import FindingDraft, RuleContext, quote
from risk_copilot.rules.filters import ClauseFilterOptions
from risk_copilot.rules.registry import rule_kind


class RequiredOptions(ClauseFilterOptions):
    min_score: float | None = Field(None, ge=0, le=1, description="lowest recognition score that counts")


@rule_kind("required", RequiredOptions)
def required(options: RequiredOptions, context: RuleContext) -> list[FindingDraft]:
    """The parameter's topic must appear in the contract.

    Satisfied when at least one clause is recognised as the parameter's topic (score at
    least ``min_score`` when given) and, if ``patterns`` are given, that clause matches
    one of them (and none of ``unless``). Otherwise one finding of kind ``missing`` with no
    evidence: the explanation names the parameter and the standard position to add, and
    says so when the topic is there but without the required terms.
    """
    considered = [m for m in context.matches if options.min_score is None or m.score >= options.min_score]
    if any(options.selects(m.text) for m in considered):
        return []
    parameter = context.parameter
    topic = parameter.title[0].lower() + parameter.title[1:]
    if considered and options.patterns:  # the topic is there, but without what the playbook requires
        return [
            FindingDraft(
                kind="missing",
                title=f"{parameter.title}: required terms are missing",
                explanation=(
                    f"The contract deals with {topic} (\"{quote(considered[0].text, 100)}\") but not in the terms "
                    f"the playbook requires. Standard position: {quote(parameter.standard, 200)}"
                ),
                confidence=0.7,
            )
        ]
    return [
        FindingDraft(
            kind="missing",
            title=f"No clause on {topic}",
            explanation=(
                f"The playbook requires a clause on {topic}; the contract has none. "
                f"Standard position: {quote(parameter.standard, 200)}"
            ),
            confidence=0.75,
        )
    ]


class ForbiddenOptions(ClauseFilterOptions):
    scope: Literal["category", "document"] = Field(
        "category", description="category: clauses recognised as the topic; document: every clause (patterns required)"
    )
    allow_negated: bool = Field(False, description="also flag clauses whose main statement is negated")
    parties: list[str] = Field(default_factory=list, description="flag only when the acting party is one of these roles")
    exclude_parties: list[str] = Field(
        default_factory=list, description="skip clauses whose acting party is one of these roles (e.g. supplier-paid damages)"
    )


@rule_kind("forbidden", ForbiddenOptions)
def forbidden(options: ForbiddenOptions, context: RuleContext) -> list[FindingDraft]:
    """The parameter's topic must not appear (an obligation the company does not accept).

    Flags each clause recognised as the topic (or, with ``scope: document``, every clause
    matching ``patterns``) that also matches ``patterns`` when given. Clauses whose main
    statement is negated ("has no obligation to buy any minimum") are skipped unless
    ``allow_negated``; with ``parties``, only clauses whose acting party is one of those
    roles count (e.g. ``[customer]`` for a purchase commitment), and with ``exclude_parties``
    clauses whose first acting party is one of those roles are skipped; a clause matching one of
    ``unless`` is exempt. One finding of kind
    ``unacceptable`` (or the spec's ``finding_kind``) per parameter, with every flagged
    clause as evidence.
    """
    if options.scope == "document":
        if not options.patterns:
            return []
        candidates = [(c, context.clause_values.get(c.id), 0.7) for c in context.clauses]
    else:
        candidates = [(m.clause, m.values, m.score) for m in context.matches]
    flagged = []
    for clause, values, score in candidates:
        if not options.selects(clause.text):
            continue
        if not options.allow_negated and values is not None and getattr(values, "polarity", None) == "negative":
            continue
        roles = [r for r, *_ in (getattr(values, "acting_parties", None) or [])]
        if options.parties and not any(r in options.parties for r in roles):
            continue
        if options.exclude_parties and roles and roles[0] in options.exclude_parties:
            continue
        flagged.append((clause, score))
    if not flagged:
        return []
    parameter = context.parameter
    first = flagged[0][0]
    what = context.spec.title or parameter.title
    return [
        FindingDraft(
            kind="unacceptable",
            title=f"{parameter.title}: not acceptable",
            explanation=(
                f"{what}: the playbook does not accept this. "
                f"The contract says: \"{quote(first.text)}\""
            ),
            evidence=[clause for clause, _ in flagged],
            confidence=round(min(0.99, max(score for _, score in flagged)), 2),
        )
    ]
