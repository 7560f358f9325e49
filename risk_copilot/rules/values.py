"""Rule kinds that test extracted values: ``value_range``, ``allowed_values``."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from risk_copilot.rules.context import FindingDraft, RuleContext, quote
from risk_copilot.rules.filters import ClauseFilterOptions
from risk_copilot.rules.registry import rule_kind
from risk_copilot.rules.value_access import (
    CATEGORICAL_VALUES,
    NUMERIC_VALUES,
    categorical_values,
    numeric_unit,
    numeric_value,
)


def _one_of(value: str, known: dict) -> str:
    if value not in known:
        raise ValueError(f"unknown value {value!r}; known: {', '.join(known)}")
    return value


class ValueRangeOptions(ClauseFilterOptions):
    value: str = Field(description=f"one of: {', '.join(NUMERIC_VALUES)}")
    min: float | None = None
    max: float | None = None
    label: str | None = Field(None, description="how the value is named in explanations")

    @field_validator("value")
    @classmethod
    def _known_value(cls, value: str) -> str:
        return _one_of(value, NUMERIC_VALUES)

    @model_validator(mode="after")
    def _bounds(self) -> "ValueRangeOptions":
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


def _fmt(number: float) -> str:
    """1000000 -> "1,000,000", 2.5 -> "2.5", 0.125 -> "0.125": never scientific notation."""
    if float(number).is_integer():
        return f"{int(number):,}"
    return f"{number:,.4f}".rstrip("0").rstrip(".")


def _listing(values: list[str], limit: int = 6) -> str:
    if len(values) <= limit:
        return ", ".join(values)
    return f"{', '.join(values[:limit])} or {len(values) - limit} other listed values"


@rule_kind("value_range", ValueRangeOptions)
def value_range(options: ValueRangeOptions, context: RuleContext) -> list[FindingDraft]:
    """A value stated in the topic's clauses must lie within ``min`` / ``max``.

    For each clause recognised as the topic (and matching ``patterns`` when given), the
    named ``value`` (``notice_days``, ``max_percent``, ``months_of_fees``, ...) is read
    from the clause's extracted values; a clause that states it outside the bounds gives
    a finding of kind ``out_of_range`` whose explanation states the bound and the value
    found. Clauses that do not state the value are not judged by this rule.
    """
    label = options.label or options.value.replace("_", " ")
    unit = numeric_unit(options.value)
    for match in context.matches:
        if not options.selects(match.text):
            continue
        found = numeric_value(options.value, match.values)
        if found is None:
            continue
        too_low = options.min is not None and found < options.min
        too_high = options.max is not None and found > options.max
        if not (too_low or too_high):
            continue
        if options.min is not None and options.max is not None:
            bound = f"between {_fmt(options.min)} and {_fmt(options.max)}"
        elif options.min is not None:
            bound = f"at least {_fmt(options.min)}"
        else:
            bound = f"at most {_fmt(options.max)}"
        parameter = context.parameter
        suffix = "" if options.label or not unit else (unit if unit.startswith("%") else " " + unit)
        return [
            FindingDraft(
                kind="out_of_range",
                title=f"{parameter.title}: {label} is {_fmt(found)}{suffix}",
                explanation=(
                    f"{parameter.title}: the playbook requires {label} to be {bound}{suffix}; "
                    f"the contract says {_fmt(found)}{suffix}: \"{quote(match.text)}\""
                ),
                evidence=[match.clause],
                values={options.value: found},
                confidence=round(min(0.99, 0.6 + match.score / 2), 2),
            )
        ]
    return []


class AllowedValuesOptions(ClauseFilterOptions):
    value: str = Field(description=f"one of: {', '.join(CATEGORICAL_VALUES)}")
    allowed: list[str] = Field(min_length=1, description="the accepted values (case-insensitive)")
    label: str | None = Field(None, description="how the value is named in explanations")
    allowed_label: str | None = Field(
        None, description="how the accepted values are named in explanations (a long list: "
                          "'the law of a US state, a Canadian province, the UK or Ireland'); default: the list")

    @field_validator("value")
    @classmethod
    def _known_value(cls, value: str) -> str:
        return _one_of(value, CATEGORICAL_VALUES)


@rule_kind("allowed_values", AllowedValuesOptions)
def allowed_values(options: AllowedValuesOptions, context: RuleContext) -> list[FindingDraft]:
    """A categorical value in the topic's clauses must be one of ``allowed``.

    Reads the named ``value`` (``governing_law``, ``jurisdiction``, ``acting_party``,
    ``currency``, ...) from each clause recognised as the topic (matching ``patterns``
    when given); any value outside ``allowed`` (case-insensitive) gives a finding of kind
    ``deviation`` naming the value found and the allowed ones. Clauses that state no such
    value are not judged by this rule.
    """
    allowed = {a.casefold() for a in options.allowed}
    label = options.label or options.value.replace("_", " ")
    for match in context.matches:
        if not options.selects(match.text):
            continue
        found = categorical_values(options.value, match.values)
        bad = [v for v in found if v.casefold() not in allowed]
        if not bad:
            continue
        parameter = context.parameter
        return [
            FindingDraft(
                kind="deviation",
                title=f"{parameter.title}: {label} is {bad[0]}",
                explanation=(
                    f"{parameter.title}: the playbook allows {label} "
                    f"{options.allowed_label or _listing(options.allowed)}; "
                    f"the contract says {bad[0]}: \"{quote(match.text)}\""
                ),
                evidence=[match.clause],
                values={options.value: bad[0]},
                confidence=round(min(0.99, 0.6 + match.score / 2), 2),
            )
        ]
    return []
