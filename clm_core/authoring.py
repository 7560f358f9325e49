"""Assemble a contract's Markdown from a template, the clause library and attribute values.

Pure functions: the service layer loads the template, clauses and rules and passes them in.
Placeholders are ``{{ attribute }}`` and ``{{ ref:clause-key }}`` (the section number of
an included clause). Rules of effect ``include_clause`` switch optional clauses on and may
choose a variant; an explicit variant choice for a clause wins over rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from clm_core.contract_terms import LineItem, total_value
from clm_core.errors import ValidationFailed
from clm_core.rule_conditions import evaluate

OMITTED = "omitted"  # choosing this variant leaves the clause out (e.g. no liability cap at all)
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_:\-]+)\s*\}\}")


@dataclass(frozen=True)
class ClauseText:
    key: str
    variant: str
    heading: str
    body: str
    category: str = ""


@dataclass(frozen=True)
class IncludeRule:
    key: str
    condition: dict[str, Any]
    clause: str
    variant: str | None = None


@dataclass(frozen=True)
class AssembledContract:
    markdown: str
    sections: list[tuple[int, str, str]]  # (number, clause key, variant)
    applied_rules: list[str]


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.strftime("%B %d, %Y").replace(" 0", " ")
    return str(value)


def _substitute(text: str, values: dict[str, Any], numbers: dict[str, int], where: str) -> str:
    missing: list[str] = []

    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("ref:"):
            key = name[4:]
            if key not in numbers:
                missing.append(name)
                return m.group(0)
            return str(numbers[key])
        if name not in values or values[name] is None:
            missing.append(name)
            return m.group(0)
        return format_value(values[name])

    out = PLACEHOLDER.sub(repl, text)
    if missing:
        raise ValidationFailed(f"the {where} needs values that were not given",
                               details={"missing": sorted(set(missing)), "where": where})
    return out


def choose_clauses(spec: dict[str, Any], rules: list[IncludeRule], values: dict[str, Any],
                   variant_choices: dict[str, str]) -> tuple[list[tuple[str, str]], list[str]]:
    """Which clauses (key, variant) go into the contract, in template order, and which rules fired."""
    fired = [r for r in rules if evaluate(r.condition, values)]
    chosen: list[tuple[str, str]] = []
    for slot in spec["slots"]:
        key = slot["clause"]
        by_rule = [r for r in fired if r.clause == key]
        if slot.get("optional") and not by_rule:
            continue
        variant = variant_choices.get(key) or next((r.variant for r in by_rule if r.variant), None) \
            or slot.get("variant", "standard")
        if variant == OMITTED:
            continue
        chosen.append((key, variant))
    return chosen, [r.key for r in fired]


def assemble(spec: dict[str, Any], clauses: dict[tuple[str, str], ClauseText], rules: list[IncludeRule],
             values: dict[str, Any], lines: list[LineItem], variant_choices: dict[str, str]) -> AssembledContract:
    values = dict(values)
    values.setdefault("total_value", total_value(lines))
    chosen, applied = choose_clauses(spec, rules, values, variant_choices)
    unknown = [f"{k}/{v}" for k, v in chosen if (k, v) not in clauses]
    unknown += [f"{k}/{v}" for k, v in variant_choices.items()
                if v != OMITTED and (k, v) not in clauses and not any(ck == k for ck, _ in chosen)]
    if unknown:
        raise ValidationFailed("the clause library has no such clause variant", details={"missing": unknown})
    slot_keys = {s["clause"] for s in spec["slots"]}
    stray = sorted(set(variant_choices) - slot_keys)
    if stray:
        raise ValidationFailed("variant chosen for a clause the template does not use", details={"clauses": stray})
    numbers = {key: i for i, (key, _) in enumerate(chosen, start=1)}
    parts = [f"# {spec['title']}", _substitute(spec["preamble"].strip(), values, numbers, "preamble")]
    sections = []
    for key, variant in chosen:
        clause = clauses[(key, variant)]
        n = numbers[key]
        body = _substitute(clause.body.strip(), values, numbers, f"clause {key}/{variant}")
        parts.append(f"**{n}. {clause.heading}.**\n\n{body}")
        sections.append((n, key, variant))
    if spec.get("signature"):
        parts.append(_substitute(spec["signature"].strip(), values, numbers, "signature block"))
    if spec.get("schedule") == "lines":
        parts.append(render_line_schedule(lines, spec.get("schedule_title", "Schedule 1 - Price List")))
    return AssembledContract("\n\n".join(parts) + "\n", sections, applied)


def render_line_schedule(lines: list[LineItem], title: str) -> str:
    currency = lines[0].currency if lines else ""
    rows = [f"**{title}**", "",
            f"| Item | Description | Unit | Unit Price ({currency}) | Quantity |",
            "|---|---|---|---:|---:|"]
    for line in lines:
        rows.append(f"| {line.item} | {line.description} | {line.unit} | {line.unit_price:,.2f} | "
                    f"{line.quantity.normalize():,f} |")
    return "\n".join(rows)
