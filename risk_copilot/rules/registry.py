"""The one registry of rule kinds.

A rule kind is a function ``(options, context) -> list[FindingDraft]`` registered with
:func:`rule_kind`, together with a Pydantic model of its options. Its docstring is its
documentation (``risk-copilot rules`` prints it; a test fails when one is missing).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

from pydantic import BaseModel, ConfigDict, ValidationError

from risk_copilot.playbook import RuleSpec
from risk_copilot.rules.context import FindingDraft, RuleContext


class RuleOptions(BaseModel):
    """Base of every rule kind's options (unknown options are an error)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


RuleFunction = Callable[[RuleOptions, RuleContext], list[FindingDraft]]


@dataclass(frozen=True)
class RuleKind:
    name: str
    options: type[RuleOptions]
    evaluate: RuleFunction

    @property
    def documentation(self) -> str:
        return inspect.getdoc(self.evaluate) or ""


_REGISTRY: dict[str, RuleKind] = {}


def rule_kind(name: str, options: type[RuleOptions]) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule kind under ``name`` with its options model."""

    def register(function: RuleFunction) -> RuleFunction:
        if name in _REGISTRY:
            raise ValueError(f"rule kind {name!r} registered twice")
        _REGISTRY[name] = RuleKind(name=name, options=options, evaluate=function)
        return function

    return register


def rule_kinds() -> dict[str, RuleKind]:
    _load_builtin_kinds()
    return dict(_REGISTRY)


def get_rule_kind(name: str) -> RuleKind:
    kinds = rule_kinds()
    try:
        return kinds[name]
    except KeyError:
        raise KeyError(f"unknown rule kind {name!r}; known kinds: {', '.join(sorted(kinds))}") from None


def parse_options(spec: RuleSpec) -> RuleOptions:
    return get_rule_kind(spec.kind).options.model_validate(spec.options)


def validate_rule_spec(spec: RuleSpec) -> str | None:
    """Return a one-line problem with a rule spec, or None when it is valid."""
    try:
        parse_options(spec)
    except KeyError as exc:
        return str(exc.args[0])
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        return f"rule {spec.kind!r}: option {where}: {error['msg']}"
    return None


def evaluate_rule(spec: RuleSpec, context: RuleContext) -> list[FindingDraft]:
    kind = get_rule_kind(spec.kind)
    return kind.evaluate(kind.options.model_validate(spec.options), context)


def _load_builtin_kinds() -> None:
    # Importing the modules registers their kinds; imports are idempotent.
    from risk_copilot.rules import kinds  # noqa: F401
