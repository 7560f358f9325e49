"""What a rule sees (a parameter and the clauses recognised as its topic) and what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from risk_copilot.playbook import Playbook, RiskParameter, RuleSpec


@dataclass(frozen=True)
class ClauseMatch:
    """A clause recognised as belonging to a parameter's topic.

    ``similarity`` holds the best cosine similarity of the clause to the parameter's
    library entries per label (``standard``, ``fallback``, ``unacceptable``, ``example``);
    ``neighbour`` is the closest library entry (label, text)."""

    clause: Any  # risk_copilot.segment.Clause
    values: Any  # risk_copilot.extract.ClauseValues
    score: float
    similarity: dict[str, float]
    neighbour: tuple[str, str] | None = None
    keyword_hit: bool = False
    best_overall: float = 0.0  # best similarity to any entry of the whole library

    @property
    def text(self) -> str:
        return self.clause.text


@dataclass(frozen=True)
class RuleContext:
    playbook: Playbook
    parameter: RiskParameter
    spec: RuleSpec
    matches: list[ClauseMatch]  # best first
    clauses: list[Any]  # every clause of the document
    clause_values: dict[str, Any]  # clause id -> ClauseValues
    text: str  # the ingested text
    party_roles: Any = None
    hypotheses: dict[str, Any] | None = None  # NDA hypothesis category -> HypothesisVerdict, when the model ran


@dataclass
class FindingDraft:
    """A rule's verdict before the engine numbers it and adds the playbook's texts."""

    kind: str
    title: str
    explanation: str
    evidence: list[Any] = field(default_factory=list)  # clauses
    values: dict[str, Any] = field(default_factory=dict)
    confidence: float = 0.8
    severity: str | None = None  # None: the spec's or the parameter's severity


def quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
