"""Conditions of data rules: ``{attribute, op, value}`` leaves combined with ``all`` / ``any``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from clm_core.errors import ValidationFailed

_OPS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and a > b,
    "gte": lambda a, b: a is not None and a >= b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "in": lambda a, b: a in b,
}


def _coerce(actual: Any, expected: Any) -> tuple[Any, Any]:
    if isinstance(actual, Decimal) or isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return (Decimal(str(actual)) if actual is not None else None), Decimal(str(expected))
        except Exception:
            return actual, expected
    return actual, expected


def evaluate(condition: dict[str, Any], context: dict[str, Any]) -> bool:
    """Evaluate a rule condition against attribute values; unknown operators are errors."""
    if not condition:
        return True
    if "all" in condition:
        return all(evaluate(c, context) for c in condition["all"])
    if "any" in condition:
        return any(evaluate(c, context) for c in condition["any"])
    op = condition.get("op", "eq")
    if op not in _OPS or "attribute" not in condition:
        raise ValidationFailed(f"invalid rule condition {condition!r}", details={"operators": sorted(_OPS)})
    actual, expected = _coerce(context.get(condition["attribute"]), condition.get("value"))
    return bool(_OPS[op](actual, expected))
