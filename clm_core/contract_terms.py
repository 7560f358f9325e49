"""Contract terms in plain Python: procurement lines, NDA kinds, attribute validation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from clm_core.errors import ValidationFailed

NDA_KINDS = ("mutual", "one_way")


@dataclass(frozen=True)
class LineItem:
    """One procurement line: item, description, unit, unit price, quantity, currency."""

    item: str
    description: str
    unit: str
    unit_price: Decimal
    quantity: Decimal
    currency: str = "USD"

    @classmethod
    def parse(cls, raw: dict[str, Any] | LineItem, default_currency: str) -> LineItem:
        if isinstance(raw, LineItem):
            return raw
        missing = [k for k in ("item", "description", "unit", "unit_price", "quantity") if raw.get(k) in (None, "")]
        if missing:
            raise ValidationFailed("a line item is incomplete", details={"missing": missing, "line": raw})
        try:
            price, qty = Decimal(str(raw["unit_price"])), Decimal(str(raw["quantity"]))
        except InvalidOperation as exc:
            raise ValidationFailed("unit price and quantity must be numbers", details={"line": raw}) from exc
        if price < 0 or qty <= 0:
            raise ValidationFailed("unit price must be >= 0 and quantity > 0", details={"line": raw})
        return cls(str(raw["item"]), str(raw["description"]), str(raw["unit"]), price, qty,
                   str(raw.get("currency") or default_currency).upper())

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["unit_price"], d["quantity"] = plain(self.unit_price), plain(self.quantity)
        return d


def plain(value: Decimal) -> str:
    """Canonical decimal text: ``6.40`` and ``6.4000`` both give ``6.4``."""
    return format(value.normalize(), "f")


def total_value(lines: list[LineItem]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0"))


def validate_lines(lines: list[LineItem], currency: str) -> None:
    if not lines:
        raise ValidationFailed("a procurement contract needs at least one line item")
    other = sorted({line.currency for line in lines if line.currency != currency})
    if other:
        raise ValidationFailed("all lines must be in the contract currency",
                               details={"contract_currency": currency, "line_currencies": other})
    items = [line.item for line in lines]
    dupes = sorted({i for i in items if items.count(i) > 1})
    if dupes:
        raise ValidationFailed("each item may appear on one line only", details={"duplicates": dupes})


def validate_attributes(definitions: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Check values against a contract type's attribute definitions; apply defaults; coerce types."""
    known = {d["name"]: d for d in definitions}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValidationFailed("unknown attributes", details={"unknown": unknown, "known": sorted(known)})
    out: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, d in known.items():
        value = values.get(name, d.get("default"))
        if value is None:
            if d.get("required"):
                problems[name] = "required"
            continue
        kind = d.get("type", "string")
        try:
            if kind == "integer":
                value = int(value)
            elif kind == "boolean":
                if not isinstance(value, bool):
                    raise ValueError("expected true or false")
            elif kind == "date":
                value = date.fromisoformat(str(value)).isoformat()
            elif kind == "money":
                value = str(Decimal(str(value)))
            elif kind == "choice":
                if value not in d.get("choices", []):
                    raise ValueError(f"expected one of {d.get('choices')}")
            else:
                value = str(value)
        except (ValueError, InvalidOperation) as exc:
            problems[name] = str(exc) or f"expected {kind}"
            continue
        out[name] = value
    if problems:
        raise ValidationFailed("invalid attribute values", details=problems)
    return out
