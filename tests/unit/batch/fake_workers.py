"""Fake reviewers for runner and scan tests (no model): importable by spawned workers."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from risk_copilot.batch.results_store import ScanOutcome


def fake_review(path: str, text: str, contract_type: str = "procurement") -> dict:
    """A review-shaped dict: one clause per line, a high finding on lines containing 'uncapped'."""
    clauses, findings, offset = [], [], 0
    for i, line in enumerate(text.splitlines(keepends=True)):
        stripped = line.strip()
        if stripped:
            start = offset + line.index(stripped)
            clause = {"id": f"c{i + 1}", "section": str(i + 1), "heading": None, "start": start,
                      "end": start + len(stripped), "categories": [{"name": "cap_on_liability", "score": 0.9}]}
            clauses.append(clause)
            if "uncapped" in stripped:
                findings.append({
                    "id": f"f{len(findings) + 1}", "parameter": "liability-cap", "category": "uncapped_liability",
                    "kind": "unacceptable", "severity": "high", "title": "Uncapped liability",
                    "explanation": "x", "evidence": [{"clause_id": clause["id"], "start": clause["start"],
                                                      "end": clause["end"], "text": stripped}],
                    "expected": "", "suggestion": "", "values": {}, "confidence": 0.9, "approver_role": "legal"})
        offset += len(line)
    return {
        "review_id": "rv_fake", "contract_type": contract_type, "playbook": {"id": contract_type, "version": "1"},
        "document": {"name": Path(path).name, "sha256": "", "format": "txt", "characters": len(text)},
        "clauses": clauses, "findings": findings, "risk_score": 90 if findings else 0,
        "decision": "reject" if findings else "approve", "approvers": ["legal"] if findings else [],
        "versions": {"engine": "fake", "embedding_model": "fake-model", "playbook": f"{contract_type}@1"},
        "timings_ms": {}, "text": text,
    }


def fake_vectors(texts: list[str]) -> np.ndarray:
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for i, text in enumerate(texts):
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
        vector = np.random.default_rng(seed).normal(size=384).astype(np.float32)
        out[i] = vector / np.linalg.norm(vector)
    return out


class FakeWorker:
    """Reviews any text file instantly; a file containing CRASH kills the worker process."""

    def __init__(self, settings=None, *, torch_threads: int = 0) -> None:
        self.name = f"fake:{os.getpid()}"

    def warm_up(self) -> float:
        return 0.0

    def review_file(self, path: str, sha256: str, requested_type: str) -> ScanOutcome:
        text = Path(path).read_text(encoding="utf-8")
        if "CRASH" in text:
            os._exit(17)
        if not text.strip():
            return ScanOutcome(sha256=sha256, path=path, status="error", error_code="empty_document",
                               error_message="empty", worker=self.name)
        review = fake_review(path, text, "procurement" if requested_type == "auto" else requested_type)
        vectors = fake_vectors([text[c["start"]:c["end"]] for c in review["clauses"]])
        return ScanOutcome(sha256=sha256, path=path, status="reviewed", review=review, vectors=vectors,
                           worker=self.name, worker_rss_mb=1.0)
