"""The review engine: ingest -> segment -> extract -> embed -> classify -> rules -> findings.

Build one :class:`ReviewEngine` per process (models and indexes load lazily, once) and
call ``review_path`` / ``review_bytes`` / ``review_text`` / ``review_document``. Each
returns the review JSON of DESIGN.md (a dict) plus the ingested ``text``.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from threading import Lock
from typing import Any

from risk_copilot import __version__
from risk_copilot.category_heads import merge_categories
from risk_copilot.classify import ClauseClassifier
from risk_copilot.clause_library import ClauseLibraryIndex
from risk_copilot.contract_type import reads_like_a_contract
from risk_copilot.document import IngestedDocument
from risk_copilot.embedding import SentenceEncoder, encoder_for
from risk_copilot.errors import IngestError
from risk_copilot.findings import (
    build_finding, decide, merge_duplicate_findings, not_a_contract_finding, type_mismatch_finding,
)
from risk_copilot.playbook import Playbook, load_playbook, playbook_for_type
from risk_copilot.rules.context import RuleContext
from risk_copilot.rules.registry import evaluate_rule
from risk_copilot.settings import ReviewerSettings


class ReviewEngine:
    def __init__(self, settings: ReviewerSettings | None = None, encoder: SentenceEncoder | None = None) -> None:
        self.settings = settings or ReviewerSettings()
        self.encoder = encoder or encoder_for(self.settings)
        self._lock = Lock()
        self._playbooks: dict[str, Playbook] = {}
        self._classifiers: dict[str, ClauseClassifier] = {}
        self._type_detector = None
        self._nda_model = None
        self._category_heads = None
        self._category_heads_loaded = False

    # ------------------------------------------------------------ resources

    def playbook(self, contract_type: str) -> Playbook:
        with self._lock:
            if contract_type not in self._playbooks:
                self._playbooks[contract_type] = playbook_for_type(contract_type, self.settings.playbook_dir)
            return self._playbooks[contract_type]

    def classifier(self, playbook: Playbook) -> ClauseClassifier:
        key = playbook.fingerprint()
        with self._lock:
            if key not in self._classifiers:
                library = ClauseLibraryIndex.load_or_build(playbook, self.encoder, self.settings.index_dir)
                self._classifiers[key] = ClauseClassifier(playbook, library)
            return self._classifiers[key]

    def category_heads(self):
        """The trained CUAD clause-category heads (``None`` when the folder has no manifest)."""
        from risk_copilot.category_heads import load_category_heads

        with self._lock:
            if not self._category_heads_loaded:
                folder = self.settings.category_heads_dir
                self._category_heads = load_category_heads(folder) if (folder / "manifest.json").is_file() else None
                self._category_heads_loaded = True
            return self._category_heads

    def nda_hypotheses(self, playbook: Playbook, clauses: list, vectors) -> dict | None:
        """Verdicts of the NDA hypothesis model (``models/nda-nli``, loaded once) on the
        clauses, when the playbook has ``nli_hypothesis`` rules; otherwise None."""
        if not any(spec.kind == "nli_hypothesis" for parameter in playbook.parameters for spec in parameter.rules):
            return None
        from risk_copilot.nda_hypotheses import NdaHypothesisModel, review_hypotheses

        with self._lock:
            if self._nda_model is None:
                self._nda_model = NdaHypothesisModel.load()
        return review_hypotheses(self._nda_model, clauses, vectors)

    def detect_type(self, text: str) -> tuple[str, float]:
        """``(nda | procurement | other, confidence)`` for a contract text."""
        from risk_copilot.contract_type import ContractTypeDetector

        with self._lock:
            if self._type_detector is None:
                self._type_detector = ContractTypeDetector(self.encoder)
            detector = self._type_detector
        return detector.detect(text)

    def warm_up(self, contract_types: tuple[str, ...] = ("nda", "procurement")) -> None:
        """Load the model, the playbooks and their indexes now rather than on first review."""
        for contract_type in contract_types:
            self.classifier(self.playbook(contract_type))
        heads = self.category_heads()
        if heads is not None:  # first use imports scipy.sparse
            heads.probabilities(["warm up"], [None], self.encoder.encode(["warm up"]))
        self.encoder.encode(["warm up"])
        from risk_copilot.segment import segment_document
        from risk_copilot.ingest import ingest_text

        segment_document(ingest_text("1. Warm up. This is a sentence. This is another one."))

    # ------------------------------------------------------------ reviews

    def review_path(self, path: str | Path, contract_type: str, *, playbook: Playbook | str | Path | None = None) -> dict[str, Any]:
        from risk_copilot.ingest import ingest_path

        started = time.perf_counter()
        document = ingest_path(path, max_bytes=self.settings.max_file_bytes)
        return self.review_document(document, contract_type, playbook=playbook, _started=started)

    def review_bytes(self, data: bytes, name: str, contract_type: str, *, playbook: Playbook | str | Path | None = None) -> dict[str, Any]:
        from risk_copilot.ingest import ingest_bytes

        started = time.perf_counter()
        document = ingest_bytes(data, name, max_bytes=self.settings.max_file_bytes)
        return self.review_document(document, contract_type, playbook=playbook, _started=started)

    def review_text(self, text: str, contract_type: str, *, name: str = "input.txt", playbook: Playbook | str | Path | None = None) -> dict[str, Any]:
        from risk_copilot.ingest import ingest_text

        started = time.perf_counter()
        fmt = "md" if name.lower().endswith((".md", ".markdown")) else "txt"
        document = ingest_text(text, name=name, format=fmt)
        return self.review_document(document, contract_type, playbook=playbook, _started=started)

    def review_document(self, document: IngestedDocument, contract_type: str, *,
                        playbook: Playbook | str | Path | None = None, _started: float | None = None) -> dict[str, Any]:
        from risk_copilot.extract import extract_clause_values, find_party_roles
        from risk_copilot.segment import segment_document

        timings: dict[str, float] = {}
        started = _started if _started is not None else time.perf_counter()
        timings["ingest"] = time.perf_counter() - started

        if playbook is None:
            chosen = self.playbook(contract_type)
        elif isinstance(playbook, Playbook):
            chosen = playbook
        else:
            chosen = load_playbook(playbook)
        classifier = self.classifier(chosen)

        mark = time.perf_counter()
        clauses = segment_document(document)
        timings["segment"] = time.perf_counter() - mark
        if not clauses:
            raise IngestError(f"{document.name}: no reviewable clauses found", code="empty_document")

        mark = time.perf_counter()
        roles = find_party_roles(document.text)
        values = {c.id: extract_clause_values(c.text, roles) for c in clauses}
        timings["extract"] = time.perf_counter() - mark

        mark = time.perf_counter()
        vectors = self.encoder.encode([c.text for c in clauses])
        timings["embed"] = time.perf_counter() - mark

        mark = time.perf_counter()
        heads = self.category_heads()
        head_categories: dict[str, list[tuple[str, float]]] = {}
        head_scores: dict[str, object] = {}
        if heads is not None:
            from risk_copilot.category_heads import reported_categories

            probabilities = heads.probabilities([c.text for c in clauses], [c.heading for c in clauses], vectors)
            head_categories = dict(zip((c.id for c in clauses), reported_categories(heads, probabilities)))
            head_scores = {name: probabilities[:, j] for j, name in enumerate(heads.categories)}
        classification = classifier.classify(clauses, vectors, values, head_scores=head_scores)
        timings["classify"] = time.perf_counter() - mark

        mark = time.perf_counter()
        hypotheses = self.nda_hypotheses(chosen, clauses, vectors)
        timings["hypotheses"] = time.perf_counter() - mark

        mark = time.perf_counter()
        findings: list[dict[str, Any]] = []
        for parameter in chosen.parameters:
            for spec in parameter.rules:
                context = RuleContext(
                    playbook=chosen, parameter=parameter, spec=spec,
                    matches=classification.matches.get(parameter.id, []), clauses=clauses,
                    clause_values=values, text=document.text, party_roles=roles, hypotheses=hypotheses,
                )
                for draft in evaluate_rule(spec, context):
                    findings.append(build_finding(len(findings) + 1, parameter, spec, draft))
        rules_seconds = time.perf_counter() - mark
        mark = time.perf_counter()
        detected_type, type_confidence = self.detect_type(document.text)
        timings["detect_type"] = time.perf_counter() - mark  # embeds the opening passages: its own stage
        mark = time.perf_counter()
        if reads_like_a_contract(document.text):
            mismatch = type_mismatch_finding(chosen.contract_type, detected_type, type_confidence)
        else:
            mismatch = not_a_contract_finding(chosen.contract_type)
        if mismatch:
            findings.append(mismatch)
        findings = merge_duplicate_findings(findings)
        risk_score, decision, approvers = decide(findings, chosen)
        timings["rules"] = rules_seconds + time.perf_counter() - mark
        timings["total"] = time.perf_counter() - started

        return {
            "review_id": "rv_" + uuid.uuid4().hex[:20],
            "contract_type": chosen.contract_type,
            "playbook": {"id": chosen.id, "version": chosen.version},
            "document": {
                "name": document.name, "sha256": document.sha256, "format": document.format,
                "characters": document.characters, "pages": document.pages,
                "detected_type": {"type": detected_type, "confidence": type_confidence},
            },
            "clauses": [
                {
                    "id": c.id, "section": c.section, "heading": c.heading, "start": c.start, "end": c.end,
                    "categories": [{"name": n, "score": s} for n, s in merge_categories(
                        classification.clause_categories.get(c.id, [])[:3], head_categories.get(c.id, []))],
                }
                for c in clauses
            ],
            "findings": findings,
            "risk_score": risk_score,
            "decision": decision,
            "approvers": approvers,
            "versions": {
                "engine": __version__, "embedding_model": self.encoder.version, "playbook": chosen.ref,
                "playbook_sha256": chosen.fingerprint(),
                "nda_hypotheses": self._nda_model.version if hypotheses is not None else None,
                "category_heads": heads.version if heads is not None else None,
            },
            "timings_ms": {k: round(v * 1000, 1) for k, v in timings.items()},
            "text": document.text,
        }
