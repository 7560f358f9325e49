"""Typed request and response bodies of the API (with OpenAPI examples)."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Severity = Literal["high", "medium", "low", "info"]
# ids and version numbers are database integers (64-bit): larger numbers are refused as invalid input (422)
MAX_DB_INT = 2**63 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_DB_INT, description="a database id")]
# any case, as on the command line ("NDA" is "nda")
ContractTypeCode = Annotated[str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
                             Field(pattern=r"^[a-z][a-z0-9_\-]{0,31}$", examples=["procurement"])]

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
    "versions": {"engine": "0.1.0", "embedding_model": "all-MiniLM-L6-v2", "playbook": "nda@4"},
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
    risk_score: int = Field(..., ge=0, le=100, description="0 to 100, an integer as in the CLI's review JSON")
    decision: Literal["approve", "escalate", "reject"]
    approvers: list[str]
    versions: dict[str, Any] = {}
    timings_ms: dict[str, Any] = {}
    text: str


class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"text": "1. Confidentiality. The Recipient shall ...", "contract_type": "nda", "name": "acme-nda.md"}]})
    text: str = Field(..., description="contract text (Markdown or plain); empty or blank text is refused as "
                                       "empty_document")
    contract_type: ContractTypeCode
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
    risk_score: int = Field(..., ge=0, le=100, description="0 to 100, as in the review")
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


ERROR_BODY_REF = {"$ref": "#/components/schemas/ErrorBody"}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the shared error shape: always ``application/json``, also on
    routes whose success is HTML, YAML or a download (the app registers ``ErrorBody`` in the document)."""
    return {s: {"description": HTTPStatus(s).phrase, "content": {"application/json": {"schema": ERROR_BODY_REF}}}
            for s in statuses}


# --- batch scans and portfolio search -------------------------------------------------------------------

ScanType = Literal["nda", "procurement", "auto"]
ScanStatus = Literal["queued", "running", "done", "failed"]


class ScanPathRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"path": "legal/2023-suppliers", "contract_type": "auto"}]})
    path: str = Field(..., min_length=1, max_length=1000,
                      description="a folder (or file) under the configured scan root, relative to it or absolute")
    contract_type: ScanType = "auto"


class ScanLinks(BaseModel):
    self: str
    report: str


class ScanAccepted(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "scan_id": "sc_5f0c2a9e41d7b3a8", "status": "queued",
        "links": {"self": "/v1/scans/sc_5f0c2a9e41d7b3a8", "report": "/v1/scans/sc_5f0c2a9e41d7b3a8/report"}}]})
    scan_id: str
    status: ScanStatus
    files: int | None = Field(None, description="contract files unpacked from the upload (zip scans)")
    links: ScanLinks


class ScanProgress(BaseModel):
    state: str | None = Field(None, description="the scanner's own state: discovering, running, reporting, "
                                                "finished, interrupted, not_started")
    files_total: int
    files_done: int = Field(..., description="reviewed, of another contract type, or skipped as already done")
    files_failed: int
    files_reviewed: int
    files_other: int
    files_skipped: int
    files_unsupported: int = Field(0, description="files of another format, not reviewed: listed under results.errors "
                                                  "with unsupported_format")
    rate_per_minute: float = 0.0
    eta_seconds: float | None = None
    totals: dict[str, Any] | None = None


class ScanSummaryRow(Open):
    path: str
    sha256: str
    status: Literal["reviewed", "other"]
    contract_type: str | None = None
    type_confidence: float | None = Field(None, description="confidence of the detected contract type, 0 to 1")
    risk_score: int | None = None
    decision: str = ""
    high: int = 0
    medium: int = 0
    low: int = 0
    info: int = 0
    page: str | None = Field(None, description="link to the contract's page in the report")


class ScanErrorRow(BaseModel):
    path: str
    sha256: str
    error_code: str | None
    error_message: str | None


class ScanResults(BaseModel):
    summary_count: int
    summary: list[ScanSummaryRow] = Field(..., description="riskiest first, at most `limit` rows")
    errors_count: int
    errors: list[ScanErrorRow]
    paths: dict[str, str] = Field(..., description="report files, relative to the scan's folder on the server")


class Scan(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "scan_id": "sc_5f0c2a9e41d7b3a8", "status": "done", "contract_type": "auto", "owner": "maya",
        "created_at": "2026-01-12T09:30:00Z", "started_at": "2026-01-12T09:30:01Z",
        "finished_at": "2026-01-12T09:31:40Z", "source": {"kind": "upload", "name": "suppliers.zip"},
        "progress": {"state": "finished", "files_total": 3, "files_done": 2, "files_failed": 1, "files_reviewed": 2,
                     "files_other": 0, "files_skipped": 0, "rate_per_minute": 41.5, "eta_seconds": 0.0},
        "results": {"summary_count": 2, "summary": [{
            "path": "acme/supply.md", "sha256": "9f86d0...", "status": "reviewed", "contract_type": "procurement",
            "risk_score": 62, "decision": "escalate", "high": 1, "medium": 2, "low": 0, "info": 1,
            "page": "/v1/scans/sc_5f0c2a9e41d7b3a8/contracts/9f86d0a1b2c3d4e5f6a7.html"}],
            "errors_count": 1, "errors": [{"path": "scan.pdf", "sha256": "a1...", "error_code": "scanned_pdf",
                                           "error_message": "the PDF has no text layer"}],
            "paths": {"report.html": "out/report.html", "summary.csv": "out/summary.csv"}},
        "error": None, "refused": None,
        "links": {"self": "/v1/scans/sc_5f0c2a9e41d7b3a8", "report": "/v1/scans/sc_5f0c2a9e41d7b3a8/report"}}]})
    scan_id: str
    status: ScanStatus
    contract_type: ScanType
    owner: str
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    source: dict[str, Any]
    progress: ScanProgress
    results: ScanResults | None = Field(None, description="once the scan is done")
    error: ErrorDetail | None = Field(None, description="why a failed scan failed")
    refused: list[str] | None = Field(None, description="files left out: their real path leaves the scan root")
    links: ScanLinks


class SearchHit(BaseModel):
    rank: int
    score: float = Field(..., description="cosine similarity of the clause to the query")
    scan_id: str
    contract: str
    path: str
    sha256: str
    contract_type: str | None = None
    clause_id: str
    section: str | None = None
    heading: str | None = None
    start: int = Field(..., description="offset into the ingested text of the contract's review")
    end: int
    categories: list[str]
    flagged: list[dict[str, Any]] = Field(..., description="findings whose evidence is this clause")
    text: str


class SearchResults(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "query": "liability is unlimited", "category": "cap_on_liability", "k": 20,
        "scans": ["sc_5f0c2a9e41d7b3a8"], "hits": [{
            "rank": 1, "score": 0.81, "scan_id": "sc_5f0c2a9e41d7b3a8", "contract": "supply.md",
            "path": "acme/supply.md", "sha256": "9f86d0...", "contract_type": "procurement", "clause_id": "c14",
            "section": "16", "heading": "Limitation of Liability", "start": 5120, "end": 5480,
            "categories": ["cap_on_liability"], "flagged": [{"finding": "f2", "severity": "high",
                                                             "category": "uncapped_liability",
                                                             "title": "Liability is uncapped"}],
            "text": "16. Limitation of Liability. ..."}]}]})
    query: str
    category: str | None
    k: int
    scans: list[str] = Field(..., description="the scans searched (done scans of your organisation)")
    hits: list[SearchHit]
