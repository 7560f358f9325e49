"""A standalone HTML page of one review: the contract text with flagged clauses
highlighted in their severity colour and the findings beside it. Everything from the
contract is escaped (Jinja2 autoescape); the page loads nothing from outside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from risk_copilot.playbook import SEVERITY_ORDER

_TEMPLATES = Path(__file__).resolve().parent / "templates"


def highlighted_segments(text: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split ``text`` at every evidence boundary; each piece carries the findings covering
    it and the highest severity among them (None for unflagged text)."""
    spans = [
        (max(0, e["start"]), min(len(text), e["end"]), f)
        for f in findings for e in f.get("evidence", []) if e["end"] > e["start"]
    ]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [f for s, e, f in spans if s <= start and end <= e]
        severity = max((f["severity"] for f in covering), key=SEVERITY_ORDER.get, default=None)
        segments.append({
            "text": text[start:end], "start": start, "severity": severity,
            "finding_ids": [f["id"] for f in covering],
        })
    return segments


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(_TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))


def render_review_html(review: dict[str, Any]) -> str:
    text = review.get("text", "")
    template = _environment().get_template("review.html.j2")
    counts = {s: sum(1 for f in review["findings"] if f["severity"] == s) for s in ("high", "medium", "low", "info")}
    return template.render(review=review, segments=highlighted_segments(text, review["findings"]), counts=counts)
