"""Playbooks: the company's risk parameters for a contract type, as validated data.

A playbook is a YAML file (``corpora/playbooks/*.yaml``) validated by the Pydantic
models below. A broken playbook fails with a :class:`PlaybookError` whose message names
the file, the line and what is wrong.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from risk_copilot.errors import PlaybookError

Severity = Literal["high", "medium", "low", "info"]
FindingKind = Literal["deviation", "missing", "unacceptable", "out_of_range", "inconsistency"]
SEVERITY_ORDER: dict[str, int] = {"info": 0, "low": 1, "medium": 2, "high": 3}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    """One rule applied to a parameter. ``kind`` names a registered rule kind; the
    other fields are that kind's options (validated by the kind itself)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    kind: str
    severity: Severity | None = None  # overrides the parameter's severity
    finding_kind: FindingKind | None = None
    title: str | None = None  # finding title; ``{value}`` placeholders allowed

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ClassificationHints(_Strict):
    """How clauses are recognised as belonging to a parameter."""

    keywords: list[str] = Field(default_factory=list, description="regexes (case-insensitive) that signal the parameter")
    min_similarity: float | None = Field(None, ge=0, le=1, description="similarity needed with a keyword match")
    strong_similarity: float | None = Field(None, ge=0, le=1, description="similarity enough without a keyword")

    @field_validator("keywords")
    @classmethod
    def _regexes_compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"keyword {pattern!r} is not a valid regular expression: {exc}") from exc
        return value


class RiskParameter(_Strict):
    """A risk parameter: what the company accepts for one topic of a contract type."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    category: str = Field(pattern=r"^[a-z0-9_]+$")
    description: str = ""
    required: bool = False
    severity: Severity
    approver_role: str
    standard: str = Field(min_length=10, description="the standard position, as contract wording")
    fallback: str = Field(min_length=10, description="fallback wording to propose")
    unacceptable: list[str] = Field(default_factory=list)
    examples: list[str] = Field(default_factory=list, description="more wordings of this topic, for recognition")
    classification: ClassificationHints = Field(default_factory=ClassificationHints)
    rules: list[RuleSpec] = Field(default_factory=list)


class DecisionPolicy(_Strict):
    """How findings turn into a risk score and a decision."""

    weights: dict[Severity, int] = Field(default_factory=lambda: {"high": 30, "medium": 10, "low": 3, "info": 0})
    reject_at: int = Field(90, ge=0, le=100, description="risk score at or above which the decision is reject")
    escalate_at_severity: Severity = "medium"
    default_approver: str = "contract_manager"


class Playbook(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    version: str
    contract_type: str
    title: str
    our_side: str = Field(description="the party role we play: customer, or either for mutual NDAs")
    min_similarity: float = Field(0.42, ge=0, le=1)
    strong_similarity: float = Field(0.62, ge=0, le=1)
    decision: DecisionPolicy = Field(default_factory=DecisionPolicy)
    parameters: list[RiskParameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids_and_known_rule_kinds(self) -> "Playbook":
        seen: set[str] = set()
        for index, parameter in enumerate(self.parameters):
            if parameter.id in seen:
                raise ValueError(f"parameters[{index}]: duplicate parameter id {parameter.id!r}")
            seen.add(parameter.id)
        return self

    def parameter(self, parameter_id: str) -> RiskParameter:
        for parameter in self.parameters:
            if parameter.id == parameter_id:
                return parameter
        raise KeyError(parameter_id)

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def fingerprint(self) -> str:
        """sha256 of the canonical playbook content (reproducibility, index keys)."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


# ---------------------------------------------------------------- loading


def _node_line(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Line (1-based) of the YAML node at a Pydantic error location."""
    node = root
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def parse_playbook(text: str, source: str = "<playbook>") -> Playbook:
    """Parse and validate playbook YAML; errors name the source, the line and the problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        line, problem = _yaml_error_position(exc, text)
        raise PlaybookError(
            f"{source}:{line}: invalid YAML: {problem}", details={"file": source, "line": line, "problem": problem}
        ) from None
    if not isinstance(data, dict):
        raise PlaybookError(f"{source}:1: a playbook must be a mapping", details={"file": source, "line": 1})
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(error["loc"])
            line = _node_line(root, loc)
            where = ".".join(str(p) for p in loc) or "(top level)"
            problems.append({"file": source, "line": line, "field": where, "problem": error["msg"]})
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PlaybookError(
            f"{source}:{first['line']}: {first['field']}: {first['problem']}{more}", details=problems
        ) from None
    _check_rules(playbook, root, source)
    return playbook


def _yaml_error_position(exc: yaml.YAMLError, text: str) -> tuple[int, str]:
    """(line, one-line problem) of a YAML error: from its mark, or for a reader error (a
    character YAML refuses, e.g. NUL) from its character position."""
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        line = mark.line + 1
        problem = getattr(exc, "problem", None) or str(exc)
    elif isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        problem = f"unacceptable character #x{exc.character:04x} ({exc.reason})" if isinstance(exc.character, int) \
            else str(exc.reason)
    else:
        line, problem = 1, str(exc)
    return line, " ".join(problem.split())


def _check_rules(playbook: Playbook, root: yaml.Node | None, source: str) -> None:
    from risk_copilot.rules.registry import validate_rule_spec

    for p_index, parameter in enumerate(playbook.parameters):
        for r_index, spec in enumerate(parameter.rules):
            problem = validate_rule_spec(spec)
            if problem:
                line = _node_line(root, ("parameters", p_index, "rules", r_index))
                field = f"parameters.{p_index}.rules.{r_index}"
                raise PlaybookError(
                    f"{source}:{line}: {field} ({parameter.id}): {problem}",
                    details=[{"file": source, "line": line, "field": field, "problem": problem}],
                )


def load_playbook(path: str | Path) -> Playbook:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookError(f"{path}: playbook file not found", code="playbook_not_found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"{path}: cannot read playbook: {exc}") from None
    return parse_playbook(text, source=str(path))


def default_playbook_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "corpora" / "playbooks"


def playbook_for_type(contract_type: str, playbook_dir: Path | None = None) -> Playbook:
    directory = playbook_dir or default_playbook_dir()
    path = directory / f"{contract_type}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in directory.glob("*.yaml"))
        raise PlaybookError(
            f"no playbook for contract type {contract_type!r}; known types: {', '.join(known)}",
            code="unknown_contract_type",
        )
    return load_playbook(path)
