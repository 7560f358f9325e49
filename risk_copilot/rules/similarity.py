"""Rule kind comparing a clause with the playbook's wording: ``similar_to_standard``."""

from __future__ import annotations

from pydantic import Field

from risk_copilot.rules.context import FindingDraft, RuleContext, quote
from risk_copilot.rules.filters import ClauseFilterOptions
from risk_copilot.rules.registry import rule_kind


class SimilarToStandardOptions(ClauseFilterOptions):
    margin: float = Field(0.05, ge=0, le=1, description="how much closer to an unacceptable example than to the standard")
    min_similarity: float = Field(0.55, ge=0, le=1, description="least similarity to the unacceptable example")
    nearest_only: bool = Field(
        True, description="flag only when the unacceptable example is the clause's nearest entry in the whole library"
    )


@rule_kind("similar_to_standard", SimilarToStandardOptions)
def similar_to_standard(options: SimilarToStandardOptions, context: RuleContext) -> list[FindingDraft]:
    """The topic's clauses must read like the standard or fallback position.

    Compares each recognised clause (sentence embeddings, cosine similarity) with the
    parameter's clause-library entries. When a clause is at least ``min_similarity``
    similar to one of the ``unacceptable`` examples and closer to it than to the
    standard and fallback wordings by ``margin`` (and, with ``nearest_only``, that example
    is the clause's nearest entry in the whole clause library), and it matches none of the
    ``unless`` regexes, it gives a finding of kind
    ``deviation`` whose explanation quotes the clause and the nearest unacceptable
    example.
    """
    for match in context.matches:
        if not options.selects(match.text):
            continue
        bad = match.similarity.get("unacceptable", 0.0)
        good = max(match.similarity.get("standard", 0.0), match.similarity.get("fallback", 0.0))
        if options.nearest_only and bad < match.best_overall - 1e-6:
            continue  # the clause reads more like another parameter's wording
        if bad >= options.min_similarity and bad - good >= options.margin:
            parameter = context.parameter
            near = match.neighbour[1] if match.neighbour else ""
            return [
                FindingDraft(
                    kind="deviation",
                    title=f"{parameter.title}: departs from the standard position",
                    explanation=(
                        f"{parameter.title}: the clause reads like a position the playbook does not accept "
                        f"(similarity {bad:.2f} to \"{quote(near, 100)}\" against {good:.2f} to the standard): "
                        f"\"{quote(match.text)}\""
                    ),
                    evidence=[match.clause],
                    values={"similarity_unacceptable": round(bad, 3), "similarity_standard": round(good, 3)},
                    confidence=round(min(0.95, 0.5 + (bad - good) * 3), 2),
                )
            ]
    return []
