from __future__ import annotations

from decimal import Decimal

import pytest

from clm_core.contract_terms import LineItem, plain, total_value, validate_attributes, validate_lines
from clm_core.errors import ValidationFailed
from clm_core.rule_conditions import evaluate


def test_conditions():
    ctx = {"total_value": Decimal("50000.01"), "processes_personal_data": True, "nda_kind": "mutual"}
    assert evaluate({"attribute": "total_value", "op": "gt", "value": 50000}, ctx)
    assert not evaluate({"attribute": "total_value", "op": "lte", "value": 50000}, ctx)
    assert evaluate({"attribute": "processes_personal_data", "op": "eq", "value": True}, ctx)
    assert evaluate({"all": [{"attribute": "nda_kind", "op": "in", "value": ["mutual"]},
                             {"any": [{"attribute": "missing", "op": "gt", "value": 1},
                                      {"attribute": "total_value", "op": "gte", "value": 1}]}]}, ctx)
    assert not evaluate({"attribute": "missing", "op": "gt", "value": 1}, ctx)
    assert evaluate({}, ctx)
    with pytest.raises(ValidationFailed):
        evaluate({"attribute": "total_value", "op": "approximately", "value": 1}, ctx)


def test_line_items_parse_and_validate():
    ln = LineItem.parse({"item": "A", "description": "d", "unit": "u", "unit_price": "6.40", "quantity": 10}, "usd")
    assert ln.amount == Decimal("64.00") and ln.currency == "USD"
    assert ln.to_json()["unit_price"] == "6.4" and plain(Decimal("18000.0000")) == "18000"
    with pytest.raises(ValidationFailed) as missing:
        LineItem.parse({"item": "A", "unit_price": "1", "quantity": "1"}, "USD")
    assert missing.value.details["missing"] == ["description", "unit"]
    with pytest.raises(ValidationFailed):
        LineItem.parse({"item": "A", "description": "d", "unit": "u", "unit_price": "x", "quantity": 1}, "USD")
    with pytest.raises(ValidationFailed):
        LineItem.parse({"item": "A", "description": "d", "unit": "u", "unit_price": "1", "quantity": 0}, "USD")
    with pytest.raises(ValidationFailed):
        validate_lines([ln, LineItem("B", "d", "u", Decimal(1), Decimal(1), "EUR")], "USD")
    with pytest.raises(ValidationFailed):
        validate_lines([], "USD")
    assert total_value([ln, ln]) == Decimal("128.00")


def test_attribute_validation():
    defs = [{"name": "n", "type": "integer", "default": 30}, {"name": "flag", "type": "boolean", "default": False},
            {"name": "kind", "type": "choice", "choices": ["a", "b"], "default": "a"},
            {"name": "when", "type": "date"}, {"name": "who", "type": "string", "required": True}]
    assert validate_attributes(defs, {"who": "x", "n": "45"}) == {"n": 45, "flag": False, "kind": "a", "who": "x"}
    with pytest.raises(ValidationFailed) as bad:
        validate_attributes(defs, {"n": "many", "flag": "yes", "kind": "c", "when": "soon"})
    assert set(bad.value.details) == {"n", "flag", "kind", "when", "who"}
    with pytest.raises(ValidationFailed):
        validate_attributes(defs, {"who": "x", "colour": "red"})
