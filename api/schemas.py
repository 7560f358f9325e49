"""Typed request and response bodies of the API (with OpenAPI examples)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["high", "medium", "low", "info"]
ContractTypeCode = Field(..., pattern=r"^[a-z][a-z0-9_\-]{0,31}$", examples=["procurement"])

FINDING_EXAMPLE = {
    "id": "f3", "parameter": "confidentiality-survival", "category": "confidentiality_term", "kind": "out_of_range",
    "severity": "high", "title": "Confidentiality survives only 3 months",
    "explanation": "Playbook requires at least 2 years after termination; the contract says 3 months.",
    "evidence": [{"clause_id": "c9", "start": 4010, "end": 4102, "text": "..."}],
    "expected": "standard position text", "suggestion": "fallback wording to propose", "values": {"months": 3},
    "confidence": 0.88, "approver_role": "legal"}
REVIEW_EXAMPLE = {
    "review_id": "rv_3f2a", "contract_type": "nda", "playbook": {"id": "nda", "version": "3"},
    "document": {"name": "acme-nda.md", "sha256": "9f86d0...", "format": "md", "characters": 11342},
    "clauses": [{"id": "c9", "section": "6", "heading": "Term", "start": 4000, "end": 4200,
                 "categories": [{"name": "confidentiality_term", "score": 0.91}]}],
    "findings": [FINDING_EXAMPLE], "risk_score": 62, "decision": "escalate", "approvers": ["legal"],
    "versions": {"engine": "0.1.0", "embedding_model": "all-MiniLM-L6-v2", "playbook": "nda@3"},
    "timings_ms": {"total": 270}, "text": "MUTUAL NON-DISCLOSURE AGREEMENT ..."}


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Evidence(Open):
    clause_id: str | None = None
    start: int
    end: int
    text: str


class Finding(Open):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [FINDING_EXAMPLE]})
    id: str
    parameter: str
    category: str
    kind: str
    severity: Severity
    title: str
    explanation: str = ""
    evidence: list[Evidence] = []
    expected: str | None = None
    suggestion: str | None = None
    values: dict[str, Any] = {}
    confidence: float | None = None
    approver_role: str | None = None


class Review(Open):
    """The review JSON of DESIGN.md plus ``text``, the ingested text all evidence offsets index."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [REVIEW_EXAMPLE]})
    review_id: str
    contract_type: str
    playbook: dict[str, Any]
    document: dict[str, Any]
    clauses: list[dict[str, Any]]
    findings: list[Finding]
    risk_score: float
    decision: Literal["approve", "escalate", "reject"]
    approvers: list[str]
    versions: dict[str, Any] = {}
    timings_ms: dict[str, Any] = {}
    text: str


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "1. Confidentiality. The Recipient shall ...", "contract_type": "nda", "name": "acme-nda.md"}]})
    text: str = Field(..., min_length=1, description="contract text (Markdown or plain)")
    contract_type: str = ContractTypeCode
    name: str = Field("input.md", max_length=300, description="document name; .md reads Markdown structure")
    playbook: str | None = Field(None, max_length=100, description="uploaded playbook id or id@version; default: "
                                                                    "the contract type's built-in playbook")


class ApprovalCheckRequest(ReviewRequest):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "SUPPLY AGREEMENT ... 16. Limitation of Liability ...", "contract_type": "procurement",
         "name": "PO-2291.md", "external_reference": "ariba:CW-2291"}]})
    external_reference: str | None = Field(None, max_length=200, description="the caller's own contract id")


class ApprovalCheck(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "review_id": "rv_3f2a", "may_approve": False, "decision": "escalate", "risk_score": 62,
        "required_approvers": ["legal"], "blocking_findings": ["f3"], "findings": [FINDING_EXAMPLE],
        "playbook": {"id": "procurement", "version": "2"}, "document_sha256": "9f86d0...",
        "external_reference": "ariba:CW-2291"}]})
    review_id: str
    may_approve: bool = Field(..., description="true only when the decision is approve and nothing is flagged")
    decision: Literal["approve", "escalate", "reject"]
    risk_score: float
    required_approvers: list[str] = Field(..., description="roles that must sign off before approval")
    blocking_findings: list[str] = Field(..., description="medium/high findings that need an approver's acceptance")
    findings: list[Finding]
    playbook: dict[str, Any]
    document_sha256: str
    external_reference: str | None = None


class Health(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})
    status: str


class Readiness(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ready", "checks": {"model": True,
                                                                                             "database": True}}]})
    status: Literal["ready", "not_ready"]
    checks: dict[str, bool]


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None


class ErrorBody(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"error": {"code": "not_found", "message": "contract 42 not found", "details": None}}]})
    error: ErrorDetail


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the shared error shape."""
    return {s: {"model": ErrorBody} for s in statuses}
