"""Rule kind checking the document against itself: ``amount_consistency``."""

from __future__ import annotations

from risk_copilot.rules.context import FindingDraft, RuleContext, quote
from risk_copilot.rules.registry import RuleOptions, rule_kind


class AmountConsistencyOptions(RuleOptions):
    pass


@rule_kind("amount_consistency", AmountConsistencyOptions)
def amount_consistency(options: AmountConsistencyOptions, context: RuleContext) -> list[FindingDraft]:
    """Amounts written in words must agree with the figures beside them.

    Scans every clause's extracted money values for an amount in words that disagrees
    with its figures ("two million dollars ($1,500,000)") and gives one finding of kind
    ``inconsistency`` per clause, naming both amounts.
    """
    drafts = []
    for clause in context.clauses:
        values = context.clause_values.get(clause.id)
        for money in getattr(values, "amount_inconsistencies", None) or []:
            words = getattr(money, "words_amount", None)
            drafts.append(
                FindingDraft(
                    kind="inconsistency",
                    title="Amount in words disagrees with figures",
                    explanation=(
                        f"\"{quote(money.text, 80)}\": the words say {words:,} but the figures say "
                        f"{money.amount:,}. In: \"{quote(clause.text)}\""
                    ),
                    evidence=[clause],
                    values={"words": str(words), "figures": str(money.amount), "currency": money.currency},
                    confidence=0.95,
                )
            )
    return drafts
