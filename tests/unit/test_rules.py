"""Every rule kind: documented, options validated, and behaving on small hand-made inputs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest

from risk_copilot.playbook import Playbook, RiskParameter, RuleSpec
from risk_copilot.rules.context import ClauseMatch, RuleContext
from risk_copilot.rules.registry import evaluate_rule, rule_kinds, validate_rule_spec

REQUIRED_KINDS = {"required", "forbidden", "value_range", "allowed_values", "similar_to_standard", "amount_consistency"}


@dataclass(frozen=True)
class FakeClause:
    id: str
    text: str
    start: int = 0
    end: int = 10
    section: str | None = None
    heading: str | None = None


def values(**kw):
    base = dict(
        notice_days=None, max_percent=None, min_percent=None, max_money=None, fee_multiple=None,
        months_of_fees=None, duration_days=[], governing_law_jurisdictions=[], jurisdiction_names=[],
        acting_parties=[], money=[], polarity="positive", amount_inconsistencies=[],
    )
    base.update(kw)
    return SimpleNamespace(**base)


PARAMETER = RiskParameter(
    id="topic", title="Topic", category="governing_law", severity="medium", approver_role="legal",
    standard="The standard position of the topic.", fallback="The fallback position of the topic.",
)
PLAYBOOK = Playbook(id="t", version="1", contract_type="nda", title="t", our_side="either", parameters=[PARAMETER])


def run(spec: dict, matches: list[ClauseMatch], clauses=None, clause_values=None):
    rule = RuleSpec(**spec)
    assert validate_rule_spec(rule) is None
    context = RuleContext(
        playbook=PLAYBOOK, parameter=PARAMETER, spec=rule, matches=matches,
        clauses=clauses or [m.clause for m in matches], clause_values=clause_values or {}, text="",
    )
    return evaluate_rule(rule, context)


def match(text: str, score: float = 0.8, sims=None, **value_kw) -> ClauseMatch:
    return ClauseMatch(clause=FakeClause(id="c1", text=text), values=values(**value_kw), score=score,
                       similarity=sims or {"standard": 0.5}, neighbour=("standard", "x"))


def test_the_registry_has_the_required_kinds_all_documented():
    kinds = rule_kinds()
    assert REQUIRED_KINDS <= set(kinds)
    for name, kind in kinds.items():
        doc = kind.documentation
        assert len(doc) > 80, f"rule kind {name!r} has no documentation"
        for option in kind.options.model_fields:
            assert option in doc or kind.options.model_fields[option].description, (
                f"option {option!r} of rule kind {name!r} is undocumented"
            )


def test_unknown_kind_and_bad_options_are_reported():
    assert "unknown rule kind" in validate_rule_spec(RuleSpec(kind="nope"))
    assert "option" in validate_rule_spec(RuleSpec(kind="value_range", value="notice_days"))  # no bounds
    assert "unknown value" in validate_rule_spec(RuleSpec(kind="value_range", value="colour", min=1))
    assert "option" in validate_rule_spec(RuleSpec(kind="required", surprise=True))


def test_required_reports_missing_only_when_absent():
    assert run({"kind": "required"}, [match("A clause on the topic.")]) == []
    drafts = run({"kind": "required"}, [])
    assert len(drafts) == 1 and drafts[0].kind == "missing" and drafts[0].evidence == []
    assert "topic" in drafts[0].explanation and "has none" in drafts[0].explanation
    # patterns narrow what counts
    lacking = run({"kind": "required", "patterns": ["liabilit"]}, [match("Insurance limits apply.")])
    assert lacking[0].kind == "missing" and "required terms" in lacking[0].title
    assert "Insurance limits apply." in lacking[0].explanation  # names what the contract does say
    assert run({"kind": "required", "patterns": ["liabilit"]}, [match("Total liability is limited.")]) == []


def test_forbidden_skips_negated_and_exempt_clauses():
    positive = match("Customer commits to buy at least USD 5,000,000 per year.")
    negated = match("Customer has no obligation to buy any minimum volume.", polarity="negative")
    drafts = run({"kind": "forbidden", "patterns": ["at least", "minimum"]}, [negated, positive])
    assert len(drafts) == 1 and drafts[0].kind == "unacceptable"
    assert [c.text for c in drafts[0].evidence] == [positive.text]
    assert run({"kind": "forbidden"}, [negated]) == []
    assert run({"kind": "forbidden", "unless": ["not .{0,20}exclusive"]},
               [match("Supplier is not Customer's exclusive source.")]) == []


def test_forbidden_party_filter():
    supplier = match("Supplier may terminate at any time.", acting_parties=[("supplier", "may terminate", 0)])
    customer = match("Customer may terminate at any time.", acting_parties=[("customer", "may terminate", 0)])
    assert run({"kind": "forbidden", "parties": ["supplier"]}, [customer]) == []
    assert len(run({"kind": "forbidden", "parties": ["supplier"]}, [customer, supplier])) == 1


def test_forbidden_document_scope_reads_every_clause():
    clause = FakeClause(id="c7", text="The Recipient shall pay liquidated damages.")
    drafts = run({"kind": "forbidden", "scope": "document", "patterns": ["liquidated"]}, [], clauses=[clause],
                 clause_values={"c7": values()})
    assert drafts and drafts[0].evidence == [clause]


def test_value_range_flags_values_outside_bounds():
    ok = match("on sixty (60) days' notice", notice_days=60)
    short = match("on fifteen (15) days' notice", notice_days=15)
    assert run({"kind": "value_range", "value": "notice_days", "min": 30}, [ok]) == []
    drafts = run({"kind": "value_range", "value": "notice_days", "min": 30}, [ok, short])
    assert drafts[0].kind == "out_of_range" and drafts[0].values == {"notice_days": 15}
    assert "at least 30" in drafts[0].explanation and "15" in drafts[0].explanation
    assert run({"kind": "value_range", "value": "max_percent", "max": 5}, [match("10%", max_percent=10.0)])[0].values == {"max_percent": 10}
    # a clause without the value is not judged
    assert run({"kind": "value_range", "value": "notice_days", "min": 30}, [match("no numbers")]) == []
    # money values (Decimal-bearing objects) are read too
    money = SimpleNamespace(amount=Decimal("500000"), currency="USD")
    assert run({"kind": "value_range", "value": "max_money", "min": 1_000_000}, [match("USD 500,000", max_money=money)])


def test_allowed_values_on_jurisdiction_and_party():
    ma = match("Massachusetts law governs.", governing_law_jurisdictions=[SimpleNamespace(name="Massachusetts")])
    sc = match("The laws of the Republic of Seychelles govern.", governing_law_jurisdictions=[SimpleNamespace(name="Seychelles")])
    spec = {"kind": "allowed_values", "value": "governing_law", "allowed": ["Massachusetts", "New York"]}
    assert run(spec, [ma]) == []
    drafts = run(spec, [ma, sc])
    assert drafts[0].kind == "deviation" and drafts[0].values == {"governing_law": "Seychelles"}
    party = {"kind": "allowed_values", "value": "acting_parties", "allowed": ["customer"]}
    assert run(party, [match("Supplier may terminate.", acting_parties=[("supplier", "may", 0)])])
    assert run(party, [match("Customer may terminate.", acting_parties=[("customer", "may", 0)])]) == []


def test_allowed_values_names_a_long_list_by_its_label():
    sc = match("The laws of the Republic of Seychelles govern.", governing_law_jurisdictions=[SimpleNamespace(name="Seychelles")])
    states = ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware"]
    listed = run({"kind": "allowed_values", "value": "governing_law", "allowed": states}, [sc])[0]
    assert "Alabama, Alaska, Arizona, Arkansas, California, Colorado or 2 other listed values" in listed.explanation
    labelled = run({"kind": "allowed_values", "value": "governing_law", "allowed": states,
                    "allowed_label": "the law of a US state"}, [sc])[0]
    assert "allows governing law the law of a US state; the contract says Seychelles" in labelled.explanation
    assert "Alabama" not in labelled.explanation


def test_similar_to_standard_needs_margin_and_similarity():
    spec = {"kind": "similar_to_standard", "margin": 0.05, "min_similarity": 0.6}
    close_to_bad = match("x", sims={"standard": 0.55, "fallback": 0.5, "unacceptable": 0.8})
    close_to_good = match("x", sims={"standard": 0.78, "unacceptable": 0.8})
    weak = match("x", sims={"standard": 0.2, "unacceptable": 0.5})
    assert run(spec, [close_to_good]) == [] and run(spec, [weak]) == []
    drafts = run(spec, [close_to_bad])
    assert drafts[0].kind == "deviation" and drafts[0].values["similarity_unacceptable"] == 0.8


def test_amount_consistency_names_both_amounts():
    bad = SimpleNamespace(words_amount=Decimal("2000000"), amount=Decimal("1500000"), currency="USD",
                          text="two million dollars ($1,500,000)")
    clause = FakeClause(id="c3", text="Fees are two million dollars ($1,500,000).")
    drafts = run({"kind": "amount_consistency"}, [], clauses=[clause],
                 clause_values={"c3": values(amount_inconsistencies=[bad])})
    assert drafts[0].kind == "inconsistency" and "2,000,000" in drafts[0].explanation and "1,500,000" in drafts[0].explanation


@pytest.mark.parametrize("kind", sorted(REQUIRED_KINDS))
def test_each_kind_is_used_by_a_shipped_playbook(kind):
    from risk_copilot.playbook import default_playbook_dir, load_playbook

    used = {
        spec.kind
        for path in default_playbook_dir().glob("*.yaml")
        for parameter in load_playbook(path).parameters
        for spec in parameter.rules
    }
    assert kind in used
