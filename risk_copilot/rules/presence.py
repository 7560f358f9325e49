"""Rule kinds about whether a topic is in the contract at all: ``required``, ``forbidden``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from risk_copilot.rules.context import FindingDraft, RuleContext, compile_patterns, matches_any, quote
from risk_copilot.rules.filters import ClauseFilterOptions
from risk_copilot.rules.registry import RuleOptions, rule_kind


class RequiredOptions(RuleOptions):
    patterns: list[str] = Field(default_factory=list, description="one recognised clause must also match one of these regexes")
    min_score: float | None = Field(None, ge=0, le=1, description="lowest recognition score that counts")


@rule_kind("required", RequiredOptions)
def required(options: RequiredOptions, context: RuleContext) -> list[FindingDraft]:
    """The parameter's topic must appear in the contract.

    Satisfied when at least one clause is recognised as the parameter's topic (score at
    least ``min_score`` when given) and, if ``patterns`` are given, that clause matches
    one of them. Otherwise one finding of kind ``missing`` with no evidence: the
    explanation names the parameter and the standard position to add.
    """
    patterns = compile_patterns(options.patterns)
    for match in context.matches:
        if options.min_score is not None and match.score < options.min_score:
            continue
        if matches_any(match.text, patterns):
            return []
    parameter = context.parameter
    return [
        FindingDraft(
            kind="missing",
            title=f"No {parameter.title.lower()} clause",
            explanation=(
                f"The playbook requires a {parameter.title.lower()} clause ({parameter.id}); "
                f"the contract has none. Standard position: {quote(parameter.standard, 200)}"
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
    return [
        FindingDraft(
            kind="unacceptable",
            title=f"{parameter.title}: not acceptable",
            explanation=(
                f"The playbook does not accept {parameter.title.lower()} ({parameter.id}); "
                f"the contract says: \"{quote(first.text)}\""
            ),
            evidence=[clause for clause, _ in flagged],
            confidence=round(min(0.99, max(score for _, score in flagged)), 2),
        )
    ]
