"""Options shared by the rule kinds that judge individual clauses: which clauses count."""

from __future__ import annotations

import re

from pydantic import Field, PrivateAttr

from risk_copilot.rules.registry import RuleOptions


class ClauseFilterOptions(RuleOptions):
    patterns: list[str] = Field(default_factory=list, description="judge only clauses matching one of these regexes")
    unless: list[str] = Field(default_factory=list, description="regexes that exempt a clause (e.g. an explicit denial)")
    _cache: tuple[list[re.Pattern[str]], list[re.Pattern[str]]] | None = PrivateAttr(default=None)

    def _compiled(self) -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
        if self._cache is None:
            self._cache = ([re.compile(p, re.IGNORECASE) for p in self.patterns],
                           [re.compile(p, re.IGNORECASE) for p in self.unless])
        return self._cache

    def selects(self, text: str) -> bool:
        """True when ``text`` matches a pattern (or none are given) and no exemption."""
        patterns, exemptions = self._compiled()
        if patterns and not any(p.search(text) for p in patterns):
            return False
        return not any(e.search(text) for e in exemptions)
