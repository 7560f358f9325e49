"""Named values that rules can test, read from a clause's extracted values.

``value_range`` reads the numeric names, ``allowed_values`` the categorical ones. Each
accessor returns None (or an empty list) when the clause states no such value.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    amount = getattr(value, "amount", None)
    return float(amount) if amount is not None else None


def _max_duration_days(values: Any) -> float | None:
    days = list(getattr(values, "duration_days", None) or [])
    return max(days) if days else None


NUMERIC_VALUES: dict[str, tuple[str, Callable[[Any], float | None]]] = {
    "notice_days": ("days' notice", lambda v: _number(v.notice_days)),
    "max_percent": ("%", lambda v: _number(v.max_percent)),
    "min_percent": ("%", lambda v: _number(v.min_percent)),
    "max_money": ("", lambda v: _number(v.max_money)),
    "min_money": ("", lambda v: _number(v.min_money)),
    "fee_multiple": ("x fees", lambda v: _number(v.fee_multiple)),
    "months_of_fees": ("months of fees", lambda v: _number(v.months_of_fees)),
    "max_duration_days": ("days", _max_duration_days),
    "max_duration_months": ("months", lambda v: None if _max_duration_days(v) is None else round(_max_duration_days(v) / 30, 1)),
    "max_duration_years": ("years", lambda v: None if _max_duration_days(v) is None else round(_max_duration_days(v) / 365, 2)),
}


def _acting_parties(values: Any) -> list[str]:
    return [entry[0] for entry in (getattr(values, "acting_parties", None) or []) if entry and entry[0]]


CATEGORICAL_VALUES: dict[str, Callable[[Any], list[str]]] = {
    "governing_law": lambda v: [j.name for j in (v.governing_law_jurisdictions or [])],
    "jurisdiction": lambda v: list(v.jurisdiction_names or []),
    "acting_party": lambda v: _acting_parties(v)[:1],
    "acting_parties": _acting_parties,
    "currency": lambda v: sorted({m.currency for m in (v.money or []) if getattr(m, "currency", None)}),
    "polarity": lambda v: [v.polarity] if getattr(v, "polarity", None) else [],
}


def numeric_value(name: str, values: Any) -> float | None:
    return NUMERIC_VALUES[name][1](values)


def numeric_unit(name: str) -> str:
    return NUMERIC_VALUES[name][0]


def categorical_values(name: str, values: Any) -> list[str]:
    return CATEGORICAL_VALUES[name](values)
