"""Assembly of contracts from the seeded templates, clause library and rules (no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from clm_core.authoring import ClauseText, IncludeRule, assemble
from clm_core.contract_terms import LineItem
from clm_core.errors import ValidationFailed

SEED = Path(__file__).resolve().parents[3] / "corpora" / "seed"


def load(contract_type):
    templates = yaml.safe_load((SEED / "templates.yaml").read_text())["templates"]
    spec = next(t["spec"] for t in templates if t["contract_type"] == contract_type)
    lib = yaml.safe_load((SEED / f"clauses_{contract_type}.yaml").read_text())
    clauses = {(c["key"], v): ClauseText(c["key"], v, c["heading"], body, c.get("category", ""))
               for c in lib["clauses"] for v, body in c["variants"].items()}
    rules = [IncludeRule(r["key"], r["condition"], r["params"]["clause"], r["params"].get("variant"))
             for r in yaml.safe_load((SEED / "rules.yaml").read_text())["rules"]
             if r["effect"] == "include_clause" and r["contract_type"] == contract_type]
    types = yaml.safe_load((SEED / "contract_types.yaml").read_text())["contract_types"]
    defaults = {a["name"]: a.get("default") for t in types if t["code"] == contract_type for a in t["attributes"]}
    return spec, clauses, rules, {k: v for k, v in defaults.items() if v is not None}


def values(defaults, **extra):
    return {**defaults, "vendor_name": "Acme Supplies Inc.", "effective_date": date(2026, 2, 1),
            "expiry_date": date(2028, 2, 1), **extra}


def line(price, qty, item="A"):
    return LineItem(item, "thing", "each", Decimal(price), Decimal(qty), "USD")


def test_insurance_clause_only_above_the_contract_value():
    spec, clauses, rules, defaults = load("procurement")
    small = assemble(spec, clauses, rules, values(defaults), [line("25000", "1")], {})
    big = assemble(spec, clauses, rules, values(defaults), [line("25000.01", "1")], {})
    assert "insurance" not in [k for _, k, _ in small.sections]
    assert "insurance" in [k for _, k, _ in big.sections]
    assert big.applied_rules == ["insurance-above-value"]


def test_data_protection_clause_when_personal_data_is_processed_and_references_renumber():
    spec, clauses, rules, defaults = load("procurement")
    without = assemble(spec, clauses, rules, values(defaults), [line("10", "1")], {})
    with_dp = assemble(spec, clauses, rules, values(defaults, processes_personal_data=True), [line("10", "1")], {})
    assert "Protection of Personal Data" not in without.markdown
    assert "Protection of Personal Data" in with_dp.markdown
    numbers = {k: n for n, k, _ in with_dp.sections}
    assert f"Supplier's obligations under Section {numbers['indemnity']}" in with_dp.markdown
    assert f"breach of Section {numbers['confidentiality']}" in with_dp.markdown
    assert [n for n, _, _ in with_dp.sections] == list(range(1, len(with_dp.sections) + 1))


def test_values_are_filled_in_and_lines_become_a_schedule():
    spec, clauses, rules, defaults = load("procurement")
    out = assemble(spec, clauses, rules, values(defaults, payment_days=45),
                   [line("6.40", "18000", "TIP"), line("148", "240", "TUBE")], {})
    assert "takes effect on February 1, 2026" in out.markdown
    assert "within 45 days after receipt" in out.markdown
    assert "| TIP | thing | each | 6.40 | 18,000 |" in out.markdown
    assert "{{" not in out.markdown


def test_variant_choice_and_omission():
    spec, clauses, rules, defaults = load("procurement")
    risky = assemble(spec, clauses, rules, values(defaults), [line("1", "1")], {"termination": "supplier-convenience"})
    assert "Supplier may terminate this Agreement for convenience" in risky.markdown
    no_cap = assemble(spec, clauses, rules, values(defaults), [line("1", "1")], {"liability": "omitted"})
    assert "Limitation of Liability" not in no_cap.markdown
    with pytest.raises(ValidationFailed) as unknown:
        assemble(spec, clauses, rules, values(defaults), [line("1", "1")], {"termination": "nonsense"})
    assert unknown.value.details["missing"] == ["termination/nonsense"]
    with pytest.raises(ValidationFailed):
        assemble(spec, clauses, rules, values(defaults), [line("1", "1")], {"no-such-clause": "standard"})


def test_missing_values_are_reported_by_name():
    spec, clauses, rules, defaults = load("procurement")
    incomplete = values(defaults)
    del incomplete["payment_days"]
    with pytest.raises(ValidationFailed) as exc:
        assemble(spec, clauses, rules, incomplete, [line("1", "1")], {})
    assert exc.value.details["missing"] == ["payment_days"]


def test_nda_mutual_and_one_way():
    spec, clauses, rules, defaults = load("nda")
    mutual = assemble(spec, clauses, rules, values(defaults, purpose="a pilot"), [], {})
    one_way = assemble(spec, clauses, rules, values(defaults, purpose="a pilot", nda_kind="one_way"), [], {})
    assert "Each party may disclose information to the other" in mutual.markdown
    assert "(the \"Discloser\") will disclose information to Acme Supplies Inc." in one_way.markdown
    assert one_way.applied_rules == ["nda-one-way-roles"]
    assert "Schedule" not in mutual.markdown
