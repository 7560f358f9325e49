"""Batch scans for the API: a folder per scan, a JSON record per scan, scans run in background
threads on the app's one review engine.

Layout under ``settings.data_root/scans/<scan_id>/``:

* ``scan.json``: the record (organisation, owner, created, source, status, error), written
  atomically; the truth about a scan, so the service is restart-safe. A scan found
  ``queued`` or ``running`` at start-up is queued again and resumes (``run_scan`` skips
  every file already committed, by sha256).
* ``input/``: the unpacked upload (zip scans only).
* ``out/``: ``run_scan``'s output folder (results store, status.json, reports, index).

Statuses: ``queued`` -> ``running`` -> ``done`` | ``failed``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import shutil
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from risk_copilot.batch import BatchError, UploadLimits, extract_upload_zip, resolve_under_root, run_scan, scan_status
from risk_copilot.batch.discovery import discover_contract_files
from risk_copilot.batch.worker import ContractWorker

SCAN_ID = re.compile(r"^sc_[0-9a-f]{16}$")
ACTIVE = ("queued", "running")
RECORD, INPUT, OUT = "scan.json", "input", "out"


class ScanCancelled(Exception):
    """The service is shutting down; the scan resumes at the next start."""


class InProcessRunner:
    """A ``run_scan`` runner reviewing one file at a time in the calling thread; stops
    between files when ``stop`` is set."""

    def __init__(self, worker: ContractWorker, stop: threading.Event) -> None:
        self.worker, self.stop = worker, stop

    def __enter__(self) -> "InProcessRunner":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def run(self, tasks: Iterable[Any]) -> Iterator[Any]:
        for task in tasks:
            if self.stop.is_set():
                raise ScanCancelled()
            yield self.worker.review_file(task.path, task.sha256, task.requested_type)


@dataclass
class ScanRecord:
    scan_id: str
    organisation_id: int
    organisation_code: str
    owner: str
    created_at: float
    contract_type: str
    source: dict[str, Any]  # {"kind": "upload", "name": ...} | {"kind": "path", "path": <relative to scan root>}
    status: str = "queued"
    started_at: float | None = None
    finished_at: float | None = None
    error: dict[str, Any] | None = None
    refused: list[str] | None = None  # files under a scanned folder whose real path leaves the scan root

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ScanService:
    def __init__(self, settings: Any, engine: Any, logger: logging.Logger) -> None:
        self.settings, self.engine, self.logger = settings, engine, logger
        self.root = Path(settings.data_root) / "scans"
        self._executor: ThreadPoolExecutor | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._worker: ContractWorker | None = None
        self._futures: dict[str, Future] = {}
        self._indexes: dict[str, tuple[float, Any]] = {}

    # ------------------------------------------------------------ lifecycle

    def start(self) -> int:
        """Start the scan threads and queue again every scan left queued or running."""
        self._stop.clear()
        self._executor = ThreadPoolExecutor(max_workers=self.settings.scan_concurrency, thread_name_prefix="scan")
        resumed = 0
        for record in self.records():
            if record.status in ACTIVE:
                record.status = "queued"
                self.save(record)
                self.submit(record, resume=True)
                resumed += 1
        return resumed

    def close(self) -> None:
        """Stop after the file each scan is on (those scans stay queued and resume at the next start)."""
        self._stop.set()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    # ------------------------------------------------------------ records

    def folder(self, scan_id: str) -> Path:
        if not SCAN_ID.match(scan_id):
            raise KeyError(scan_id)
        return self.root / scan_id

    def load(self, scan_id: str) -> ScanRecord | None:
        try:
            path = self.folder(scan_id) / RECORD
        except KeyError:
            return None
        try:
            return ScanRecord(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, record: ScanRecord) -> None:
        folder = self.folder(record.scan_id)
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            tmp = folder / f".{RECORD}.{threading.get_ident()}.tmp"
            tmp.write_text(json.dumps(record.to_json(), indent=2), encoding="utf-8")
            os.replace(tmp, folder / RECORD)

    def records(self, organisation_id: int | None = None) -> list[ScanRecord]:
        if not self.root.is_dir():
            return []
        out = []
        for child in sorted(self.root.iterdir()):
            record = self.load(child.name)
            if record is not None and (organisation_id is None or record.organisation_id == organisation_id):
                out.append(record)
        return sorted(out, key=lambda r: r.created_at)

    def new_record(self, principal: Any, contract_type: str, source: dict[str, Any]) -> ScanRecord:
        return ScanRecord(scan_id=f"sc_{secrets.token_hex(8)}", organisation_id=principal.organisation_id,
                          organisation_code=principal.organisation_code, owner=principal.username,
                          created_at=time.time(), contract_type=contract_type, source=source)

    # ------------------------------------------------------------ creating scans

    def upload_limits(self) -> UploadLimits:
        s = self.settings
        return UploadLimits(max_files=s.scan_zip_max_files, max_file_bytes=s.scan_zip_max_file_bytes,
                            max_total_bytes=s.scan_zip_max_total_bytes, max_ratio=s.scan_zip_max_ratio)

    def unpack_upload(self, record: ScanRecord, zip_path: Path) -> list[Path]:
        """Unpack into the scan's ``input/``; a refused zip leaves no scan folder behind."""
        folder = self.folder(record.scan_id)
        try:
            files = extract_upload_zip(zip_path, folder / INPUT, self.upload_limits())
            if not files:
                raise BatchError("the zip holds no TXT, Markdown, DOCX or PDF file", code="no_input_files")
            return files
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            zip_path.unlink(missing_ok=True)

    def resolve_server_path(self, requested: str) -> Path:
        if self.settings.scan_root is None:
            raise BatchError("server folders cannot be scanned here (no scan root is configured); upload a zip",
                             code="path_scans_disabled")
        return resolve_under_root(self.settings.scan_root, requested)

    def input_files(self, record: ScanRecord) -> tuple[Path, Path, list[Path], list[str]]:
        """The scan's root folder, the folder to scan under it, its contract files, and the
        files refused because their real path leaves that root (a symlink inside a scanned
        folder pointing out)."""
        if record.source["kind"] == "upload":
            base = (self.folder(record.scan_id) / INPUT).resolve()
            target = base
        else:
            base = Path(self.settings.scan_root).resolve()
            target = resolve_under_root(base, record.source["path"])
        found = discover_contract_files([target], root=base)
        return base, target, found.files, [display_path(base, Path(r.path)) for r in found.refused]

    # ------------------------------------------------------------ running scans

    def submit(self, record: ScanRecord, *, resume: bool = False) -> None:
        if self._executor is None:
            raise RuntimeError("the scan service is not started")
        self._futures[record.scan_id] = self._executor.submit(self._run, record.scan_id, resume)

    def _shared_worker(self) -> ContractWorker:
        """The per-file logic of ``ContractWorker`` on the app's already-loaded engine."""
        if self._worker is None:
            self._worker = ContractWorker.from_engine(self.engine, name=f"api:{os.getpid()}")
        return self._worker

    def _run(self, scan_id: str, resume: bool) -> None:
        record = self.load(scan_id)
        if record is None or self._stop.is_set():
            return
        record.status, record.started_at = "running", record.started_at or time.time()
        self.save(record)
        try:
            base, target, files, refused = self.input_files(record)
            record.refused = refused or None
            if not files:
                raise BatchError("no TXT, Markdown, DOCX or PDF file to scan", code="no_input_files")
            # the folder, not its contract files: files of another format are then recorded
            # as unsupported_format, as in a command-line scan, rather than dropped
            run_scan([target], self.folder(scan_id) / OUT, contract_type=record.contract_type,
                     settings=self.engine.settings, show_progress=False, resume=resume, root=base,
                     runner=InProcessRunner(self._shared_worker(), self._stop))
        except ScanCancelled:
            record.status = "queued"
            self.save(record)
            return
        except BatchError as exc:
            if exc.code == "scan_in_progress":  # another process of this service runs it
                return
            self._failed(record, exc.code, exc.message)
            return
        except Exception as exc:  # recorded for the caller, logged for the operator
            self.logger.error("scan failed", exc_info=exc, extra={"error_code": "scan_failed"})
            self._failed(record, "internal_error", "the scan failed unexpectedly; see the service log")
            return
        finally:
            self._futures.pop(scan_id, None)
        record.status, record.finished_at = "done", time.time()
        self.save(record)

    def _failed(self, record: ScanRecord, code: str, message: str) -> None:
        record.status, record.finished_at, record.error = "failed", time.time(), {"code": code, "message": message}
        self.save(record)

    # ------------------------------------------------------------ reading scans

    def source_base(self, record: ScanRecord) -> Path:
        if record.source["kind"] == "upload":
            return (self.folder(record.scan_id) / INPUT).resolve()
        return Path(self.settings.scan_root or "/").resolve()

    def progress(self, record: ScanRecord) -> dict[str, Any]:
        out = self.folder(record.scan_id) / OUT
        try:
            status = scan_status(out)
        except BatchError:
            return {"state": "not_started", "files_total": 0, "files_done": 0, "files_failed": 0, "files_reviewed": 0,
                    "files_other": 0, "files_skipped": 0, "files_unsupported": 0, "rate_per_minute": 0.0,
                    "eta_seconds": None}
        totals = status.get("totals", {})
        finished = status.get("state") == "finished"
        # while running: this run's counts; once finished: the folder's totals (a resumed scan ran more than once)
        reviewed = totals.get("reviewed", 0) if finished else status.get("reviewed", 0)
        other = totals.get("other", 0) if finished else status.get("other", 0)
        failed = totals.get("errors", 0) if finished else status.get("errors", 0)
        skipped = status.get("skipped_done", 0) + status.get("duplicates", 0)  # already done, or same bytes
        unsupported = totals.get("unsupported", 0) if finished else status.get("unsupported", 0)
        total = max(status.get("files_found", 0), reviewed + other + failed)
        done = total - failed if finished else reviewed + other + skipped
        return {"state": status.get("state"), "files_total": total, "files_done": done, "files_failed": failed,
                "files_reviewed": reviewed, "files_other": other, "files_skipped": skipped,
                "files_unsupported": unsupported,
                "rate_per_minute": status.get("rate_per_minute", 0.0), "eta_seconds": status.get("eta_seconds"),
                "totals": totals or None}

    def results(self, record: ScanRecord, limit: int) -> dict[str, Any] | None:
        out = self.folder(record.scan_id) / OUT
        if record.status != "done" or not (out / "results.sqlite").exists():
            return None
        from risk_copilot.batch.reports import error_rows, summary_rows
        from risk_copilot.batch.results_store import ResultsStore

        base = self.source_base(record)
        store = ResultsStore.open_readonly(out)
        try:
            summary, errors = summary_rows(store), error_rows(store)
        finally:
            store.close()
        for row in summary:
            row["path"] = display_path(base, Path(row["path"]))
            row["duplicate_paths"] = [display_path(base, Path(p)) for p in row["duplicate_paths"].split("; ") if p]
            row["page"] = f"/v1/scans/{record.scan_id}/{row['page']}" if row["page"] else None
        for row in errors:
            row["path"] = display_path(base, Path(row["path"]))
        return {"summary_count": len(summary), "summary": summary[:limit], "errors_count": len(errors),
                "errors": errors[:limit],
                "paths": {name: f"{OUT}/{name}" for name in ("report.html", "summary.csv", "errors.csv",
                                                              "reviews.jsonl", "index") if (out / name).exists()}}

    def report_file(self, record: ScanRecord, relative: str) -> Path | None:
        """``report.html`` or a ``contracts/<page>.html`` of a finished scan (None otherwise)."""
        out = (self.folder(record.scan_id) / OUT).resolve()
        if relative != "report.html" and not re.fullmatch(r"contracts/[0-9a-f]{20}\.html", relative):
            return None
        path = out / relative
        return path if path.is_file() else None

    def report_html(self, record: ScanRecord, path: Path) -> str:
        """A report page. ``run_scan`` (given the scan's root) already shows paths relative to
        the zip or the scan root; taking the server's folder out again guards the reports
        written before it did."""
        from markupsafe import escape

        html = path.read_text(encoding="utf-8")
        base = str(self.source_base(record)).rstrip("/") + "/"
        return html.replace(str(escape(base)), "")

    # ------------------------------------------------------------ search

    def index_of(self, record: ScanRecord) -> Any | None:
        """The scan's loaded portfolio index (cached until the scan rebuilds it), or None."""
        from risk_copilot.batch.portfolio_index import PortfolioIndex

        manifest = self.folder(record.scan_id) / OUT / "index" / "manifest.json"
        try:
            stamp = manifest.stat().st_mtime
        except OSError:
            return None
        with self._lock:
            cached = self._indexes.get(record.scan_id)
            if cached and cached[0] == stamp:
                return cached[1]
        index = PortfolioIndex(manifest.parent)
        with self._lock:
            self._indexes[record.scan_id] = (stamp, index)
        return index

    def search(self, records: list[ScanRecord], query: str, category: str | None, k: int) -> list[dict[str, Any]]:
        from risk_copilot.batch import search_portfolio

        hits: list[dict[str, Any]] = []
        categories_missing = 0
        searched = 0
        for record in records:
            index = self.index_of(record)
            if index is None:
                continue
            searched += 1
            try:
                found = search_portfolio(self.folder(record.scan_id) / OUT, query, category, k,
                                         encoder=self.engine.encoder, index=index)
            except BatchError as exc:
                if exc.code == "unknown_category":
                    categories_missing += 1
                    continue
                raise
            base = self.source_base(record)
            for hit in found:
                hit["scan_id"] = record.scan_id
                hit["path"] = display_path(base, Path(hit["path"]))
                hits.append(hit)
        if category and searched and categories_missing == searched:
            raise BatchError(f"no scanned clause of your organisation has category '{category}'",
                             code="unknown_category")
        hits.sort(key=lambda h: -h["score"])
        for rank, hit in enumerate(hits[:k], start=1):
            hit["rank"] = rank
        return hits[:k]


def display_path(base: Path, path: Path) -> str:
    """A path as the caller knows it: relative to the uploaded zip or to the scan root (the
    server's own folders stay private)."""
    for candidate in (path, path.resolve()):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.name
