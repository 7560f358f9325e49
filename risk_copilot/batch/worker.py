"""Review one file inside a worker: ingest, detect the type (``--type auto``), review,
and hand back the review with its clause vectors. Never raises: every failure becomes an
error outcome with a code, so one bad file cannot stop a batch.

A worker builds one :class:`ContractWorker` (one ``ReviewEngine``: MiniLM, spaCy and the
FAISS clause libraries load once; ``ContractWorker.from_engine`` wraps an engine already
loaded, as the API does) and calls :meth:`ContractWorker.review_file` per file.
The clause vectors come from the encoder's cache (the review has just embedded the same
clause texts), so nothing is embedded twice. The cache is emptied before each file so
that a file's results never depend on the order of the scan (see ``review_file``).
"""

from __future__ import annotations

import dataclasses
import os
import resource
import socket
import time
from typing import Any

from risk_copilot.batch.results_store import ScanOutcome
from risk_copilot.errors import ReviewError

REVIEWABLE_TYPES = ("nda", "procurement")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


class ContractWorker:
    def __init__(self, settings: dict[str, Any] | None = None, *, torch_threads: int = 0) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from risk_copilot.engine import ReviewEngine
        from risk_copilot.settings import ReviewerSettings

        values = dict(settings or {})
        if torch_threads:
            values["torch_threads"] = torch_threads
            try:
                import torch

                torch.set_num_threads(torch_threads)
            except ImportError:  # pragma: no cover - torch is a hard dependency
                pass
        self._attach(ReviewEngine(ReviewerSettings(**values)))

    @classmethod
    def from_engine(cls, engine: Any, *, name: str | None = None) -> "ContractWorker":
        """A worker around an already-loaded ``ReviewEngine`` (the API's): same per-file
        logic, no second engine or model loaded, no environment or thread settings changed."""
        worker = cls.__new__(cls)
        worker._attach(engine, name)
        return worker

    def _attach(self, engine: Any, name: str | None = None) -> None:
        self.engine = engine
        self._detector = None
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"

    def warm_up(self) -> float:
        """Load everything now; returns the peak RSS (MB) after loading."""
        self.engine.warm_up()
        self.detector()
        return peak_rss_mb()

    def detector(self):
        if self._detector is None:
            from risk_copilot.contract_type import ContractTypeDetector

            self._detector = ContractTypeDetector(self.engine.encoder)
        return self._detector

    def review_file(self, path: str, sha256: str, requested_type: str) -> ScanOutcome:
        # The torch-fp32 path embeds in padded batches, whose vectors depend (at float-noise
        # level) on their neighbours, so vectors cached from earlier files could make a file's
        # results depend on what its worker saw before: each file embeds on its own there. The
        # static and onnx-int8 paths embed each text on its own, so their cache carries over
        # (clauses that recur across a portfolio are embedded once per worker).
        if self.engine.encoder.backend == "torch-fp32":
            self.engine.encoder.clear_cache()
        cpu_started = time.process_time()
        outcome = self._review_file(path, sha256, requested_type)
        return dataclasses.replace(outcome, cpu_seconds=round(time.process_time() - cpu_started, 3))

    def _review_file(self, path: str, sha256: str, requested_type: str) -> ScanOutcome:
        started = time.perf_counter()
        base = {"sha256": sha256, "path": path, "worker": self.name}
        try:
            from risk_copilot.contract_type import reads_like_a_contract
            from risk_copilot.ingest import ingest_path

            document = ingest_path(path, max_bytes=self.engine.settings.max_file_bytes)
            if document.sha256 != sha256:
                return self._error(base, started, "file_changed", "the file changed between hashing and reading; re-run")
            detected, confidence = (None, None)
            contract_type = requested_type
            if requested_type == "auto":
                detected, confidence = self.detector().detect(document.text)
                # text that does not read like a contract at all (a recipe, a letter) is "other",
                # whatever type it is nearest to: it must not count in the portfolio's contracts
                if detected not in REVIEWABLE_TYPES or not reads_like_a_contract(document.text):
                    return ScanOutcome(**base, status="other", detected_type=detected, type_confidence=confidence,
                                       seconds=time.perf_counter() - started, worker_rss_mb=peak_rss_mb())
                contract_type = detected
            review = self.engine.review_document(document, contract_type)
            texts = [review["text"][c["start"]:c["end"]] for c in review["clauses"]]
            vectors = self.engine.encoder.encode(texts)
            return ScanOutcome(**base, status="reviewed", review=review, vectors=vectors, detected_type=detected,
                               type_confidence=confidence, seconds=time.perf_counter() - started,
                               worker_rss_mb=peak_rss_mb())
        except ReviewError as exc:
            return self._error(base, started, exc.code, exc.message)
        except MemoryError:
            return self._error(base, started, "out_of_memory", "the worker ran out of memory on this file")
        except Exception as exc:  # a bug on one file must not stop the batch; recorded and retried next run
            return self._error(base, started, "internal_error", f"{type(exc).__name__}: {exc}")

    @staticmethod
    def _error(base: dict[str, Any], started: float, code: str, message: str) -> ScanOutcome:
        return ScanOutcome(**base, status="error", error_code=code, error_message=message[:2000],
                           seconds=time.perf_counter() - started, worker_rss_mb=peak_rss_mb())
