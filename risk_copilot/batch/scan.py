"""``run_scan``: scan folders of contracts into an output folder, resumably.

1. Find the files (recursive TXT/MD/DOCX/PDF; other files are recorded as
   ``unsupported_format``) and hash them; the sha256 is the key.
2. Skip every hash already committed in ``DIR/results.sqlite`` (a re-run or a resumed
   killed run reviews only what is missing; files with the same bytes are reviewed once).
3. Review the rest on the local process pool or on Ray, committing each result as it
   arrives (see ``results_store``), with a Rich progress bar (rate, ETA) and
   ``DIR/status.json`` for other processes (``scan_status``).
4. Write the reports and the portfolio index.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from risk_copilot.batch.discovery import UNSUPPORTED, discover_contract_files, hash_contract_files
from risk_copilot.batch.errors import BatchError
from risk_copilot.batch.progress_display import ScanProgress
from risk_copilot.batch.results_store import ResultsStore, ScanOutcome
from risk_copilot.batch.scan_lock import ScanLock, is_locked
from risk_copilot.batch.scan_task import ScanTask

SCAN_TYPES = ("auto", "nda", "procurement")
ENGINES = ("local", "ray")


def _write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def _unreadable_key(path: str) -> str:
    import hashlib

    return "path:" + hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()


def _make_runner(engine: str, workers: int, address: str | None, settings: dict[str, Any]):
    if engine == "local":
        from risk_copilot.batch.local_runner import LocalRunner

        return LocalRunner(workers, settings)
    if engine == "ray":
        from risk_copilot.batch.ray_runner import RayRunner

        return RayRunner(workers, settings, address=address)
    raise BatchError(f"unknown engine '{engine}' (use one of {', '.join(ENGINES)})", code="unknown_engine")


def run_scan(
    paths: Iterable[str | os.PathLike[str]] | None,
    out_dir: str | os.PathLike[str],
    *,
    contract_type: str | None = "auto",
    workers: int = 1,
    engine: str = "local",
    address: str | None = None,
    resume: bool = False,
    settings: Any = None,
    show_progress: bool = True,
    build_reports: bool = True,
    on_outcome: Callable[[ScanOutcome], None] | None = None,
    runner: Any = None,
    root: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Scan ``paths`` (files or folders, recursive) into ``out_dir``; returns the summary
    (also written to ``DIR/status.json``).

    ``contract_type`` is ``nda``, ``procurement`` or ``auto`` (detect; contracts of
    other kinds are recorded as ``other``, not reviewed); ``None`` takes the type recorded
    in ``out_dir`` (``auto`` for a new folder). Results are keyed by sha256:
    files already done in ``out_dir`` are skipped. ``resume=True`` continues the scan
    recorded in ``out_dir``: with no ``paths``, its recorded paths are used. ``engine``
    is ``local`` (``workers`` spawned processes) or ``ray`` (``workers`` Ray actors; a
    local Ray unless ``address`` is given). ``settings`` is a ``ReviewerSettings``
    (default: from the environment). Raises ``BatchError`` (codes ``file_not_found``: a
    given path is neither a file nor a folder, raised before anything is written;
    ``no_input_files``, ``scan_config_mismatch``, ``scan_in_progress``, ``unknown_engine``,
    ``ray_unavailable``); per-file failures never raise, they are recorded. Files of a
    scanned folder in another format are recorded by path as ``unsupported_format``
    (errors.csv; ``unsupported`` in the summary), not reviewed.
    ``runner`` replaces the engine built from ``engine``/``workers`` (a context manager
    with ``run(tasks) -> iterator of ScanOutcome``, e.g. a ``LocalRunner`` with a fake worker).
    """
    if contract_type is not None and contract_type not in SCAN_TYPES:
        raise BatchError(f"unknown contract type '{contract_type}' (use one of {', '.join(SCAN_TYPES)})",
                         code="unknown_contract_type")
    if engine not in ENGINES:
        raise BatchError(f"unknown engine '{engine}' (use one of {', '.join(ENGINES)})", code="unknown_engine")
    given = list(paths or [])
    _check_given_paths(given)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with ScanLock(out):
        store = ResultsStore.open(out)
        try:
            return _scan_locked(store, out, given, contract_type, workers, engine, address, resume,
                                settings, show_progress, build_reports, on_outcome, runner, root)
        finally:
            store.close()


def _check_given_paths(paths: list) -> None:
    """Refuse, before anything is written, a given path that is neither a file nor a folder
    (``file_not_found``): a typo must not produce an empty portfolio report."""
    for raw in paths:
        path = Path(raw)
        if path.is_file() or path.is_dir():
            continue
        reason = "is neither a file nor a folder" if os.path.lexists(path) else "does not exist"
        raise BatchError(f"{raw}: the path to scan {reason}", code="file_not_found", details={"path": str(raw)})


def _scan_locked(store: ResultsStore, out: Path, paths: list, contract_type: str | None, workers: int, engine: str,
                 address: str | None, resume: bool, settings: Any, show_progress: bool, build_reports: bool,
                 on_outcome: Callable[[ScanOutcome], None] | None, runner: Any,
                 root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    from risk_copilot.settings import ReviewerSettings

    config = store.get_meta("config")
    if contract_type is None:
        contract_type = config["contract_type"] if config else "auto"
    if config and config["contract_type"] != contract_type:
        raise BatchError(
            f"{out} holds a scan with --type {config['contract_type']}; use the same type or another --out",
            code="scan_config_mismatch",
        )
    if not paths and resume and config:
        paths = config["paths"]
    if not paths:
        raise BatchError("nothing to scan: give files or folders (or --resume a recorded scan)", code="no_input_files")
    absolute = [str(Path(p).resolve()) for p in paths]
    recorded = list(dict.fromkeys((config or {}).get("paths", []) + absolute))
    if root is None and config and config.get("root"):
        root = config["root"]
    new_config = {"contract_type": contract_type, "paths": recorded,
                  "created_at": (config or {}).get("created_at", time.time())}
    if root is not None:
        new_config["root"] = str(Path(root).resolve())
    store.set_meta("config", new_config)

    settings = settings or ReviewerSettings()
    _check_playbooks(settings, contract_type)
    _check_embedding_model(store, settings, out)
    settings_payload = settings.model_dump(mode="json", exclude_unset=False)
    started = time.time()
    status: dict[str, Any] = {"state": "discovering", "pid": os.getpid(), "started_at": started, "engine": engine,
                              "workers": workers, "contract_type": contract_type, "out_dir": str(out)}
    _write_json_atomic(out / "status.json", status)

    discovery = discover_contract_files(paths, root, exclude=[out])
    found = discovery.files
    files, unreadable = hash_contract_files(found)
    unreadable += [(r.path, r.code, r.message) for r in discovery.refused]
    unsupported = [(r.path, r.code, r.message) for r in discovery.unsupported]
    store.record_paths([(f.path, f.sha256) for f in files])
    retried = store.forget_retryable_errors()
    done = store.done_hashes()
    tasks: list[ScanTask] = []
    seen: set[str] = set()
    duplicates = 0
    for f in files:
        if f.sha256 in done:
            continue
        if f.sha256 in seen:
            duplicates += 1
            continue
        seen.add(f.sha256)
        tasks.append(ScanTask(f.path, f.sha256, contract_type))
    skipped = sum(1 for f in files if f.sha256 in done)
    for path, code, message in unreadable + unsupported:
        store.commit(ScanOutcome(sha256=_unreadable_key(path), path=path, status="error", error_code=code,
                                 error_message=message))

    status.update({"state": "running", "files_found": len(found), "unique_files": len({f.sha256 for f in files}),
                   "skipped_done": skipped, "duplicates": duplicates, "retried_errors": retried,
                   "to_review": len(tasks), "refused": len(discovery.refused), "unsupported": len(unsupported), "processed": 0, "reviewed": 0, "other": 0, "errors": len(unreadable)})
    _write_json_atomic(out / "status.json", status)

    worker_peaks: dict[str, float] = {}
    progress = ScanProgress(len(tasks), skipped=skipped, enabled=show_progress)
    last_status = 0.0
    try:
        with progress:
            if tasks:
                with runner or _make_runner(engine, workers, address, settings_payload) as active:
                    progress.workers_ready()
                    for outcome in active.run(tasks):
                        store.commit(outcome)
                        if build_reports and outcome.status == "reviewed":
                            from risk_copilot.batch.contract_pages import write_contract_page

                            write_contract_page(out, outcome.sha256, outcome.review)
                        if outcome.worker:
                            worker_peaks[outcome.worker] = max(worker_peaks.get(outcome.worker, 0.0),
                                                               outcome.worker_rss_mb)
                        key = {"reviewed": "reviewed", "other": "other", "error": "errors"}[outcome.status]
                        status[key] += 1
                        status["processed"] += 1
                        progress.advance(outcome)
                        if on_outcome:
                            on_outcome(outcome)
                        now = time.time()
                        if now - last_status > 1.0 or status["processed"] == len(tasks):
                            status.update(progress.rates(), updated_at=now)
                            _write_json_atomic(out / "status.json", status)
                            last_status = now
    except BaseException:
        status.update(state="interrupted", updated_at=time.time())
        _write_json_atomic(out / "status.json", status)
        raise

    elapsed = time.time() - started
    status.update(progress.rates(), state="reporting", updated_at=time.time(), elapsed_seconds=round(elapsed, 1),
                  worker_peak_rss_mb={k: round(v, 1) for k, v in sorted(worker_peaks.items())})
    _write_json_atomic(out / "status.json", status)
    if build_reports:
        from risk_copilot.batch.portfolio_index import build_portfolio_index
        from risk_copilot.batch.reports import write_reports

        status["reports"] = write_reports(store, out)
        status["index"] = build_portfolio_index(store, out / "index")
    status.update(totals_from_store(store), state="finished", finished_at=time.time())
    _write_json_atomic(out / "status.json", status)
    return status


def _check_embedding_model(store: ResultsStore, settings: Any, out: Path) -> None:
    """One embedding model per folder: the portfolio index compares vectors, so a folder
    scanned with one model cannot be continued with another."""
    from risk_copilot.engine import ReviewEngine

    current = ReviewEngine(settings).encoder.version  # lazy: nothing loads
    recorded = store.get_meta("embedding_model")
    if recorded is None:  # folders from before this check: the model their reviews name
        recorded = next((review["versions"].get("embedding_model") for _, review in store.iter_reviews()), None)
    if recorded is None:
        store.set_meta("embedding_model", current)
    elif recorded != current:
        raise BatchError(f"{out} was scanned with {recorded}; the reviewer now embeds with {current}. "
                         "Scan into a new --out folder", code="embedding_model_changed")


def _check_playbooks(settings: Any, contract_type: str) -> None:
    """Fail fast (``PlaybookError``) on a broken playbook rather than on every file."""
    from risk_copilot.playbook import playbook_for_type

    for kind in ("nda", "procurement") if contract_type == "auto" else (contract_type,):
        playbook_for_type(kind, settings.playbook_dir)


def totals_from_store(store: ResultsStore) -> dict[str, Any]:
    """Portfolio totals over everything committed in the folder (all runs). Files of a
    scanned folder left out for their format (recorded with ``unsupported_format``, listed in
    errors.csv) are counted as ``unsupported``, not as contracts nor errors."""
    unsupported_row = f"(status = 'error' AND error_code = '{UNSUPPORTED}' AND sha256 LIKE 'path:%')"
    row = store.db.execute(
        f"SELECT COUNT(*), SUM(status='reviewed'), SUM(status='other'), SUM(status='error' AND NOT {unsupported_row}),"
        f" COALESCE(SUM(high),0), COALESCE(SUM(medium),0), COALESCE(SUM(low),0), COALESCE(SUM(info),0),"
        f" COALESCE(SUM({unsupported_row}),0) FROM results"
    ).fetchone()
    by_type = dict(store.db.execute(
        "SELECT COALESCE(contract_type, detected_type, 'unknown'), COUNT(*) FROM results WHERE status != 'error'"
        " GROUP BY 1"
    ).fetchall())
    by_error = dict(store.db.execute(
        f"SELECT error_code, COUNT(*) FROM results WHERE status = 'error' AND NOT {unsupported_row} GROUP BY 1").fetchall())
    return {
        "totals": {"contracts": row[0] - row[8], "reviewed": row[1] or 0, "other": row[2] or 0, "errors": row[3] or 0,
                   "unsupported": row[8], "by_type": by_type, "errors_by_code": by_error,
                   "findings_by_severity": {"high": row[4], "medium": row[5], "low": row[6], "info": row[7]}},
    }


def scan_status(out_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The state of the scan in ``out_dir`` for another process (the API, a second shell).

    Returns ``status.json`` (state ``discovering`` / ``running`` / ``reporting`` /
    ``finished`` / ``interrupted``, counts of this run, rate and ETA) with ``state``
    corrected to ``interrupted`` when no live process holds the folder's lock, plus
    ``totals`` read from the results store. Raises ``BatchError('no_scan')`` when the
    folder holds no scan.
    """
    out = Path(out_dir)
    status_path = out / "status.json"
    if not status_path.exists() or not (out / "results.sqlite").exists():
        raise BatchError(f"{out} holds no scan", code="no_scan")
    status = json.loads(status_path.read_text(encoding="utf-8"))
    running = is_locked(out)
    status["live"] = running
    if not running and status.get("state") in ("discovering", "running", "reporting"):
        status["state"] = "interrupted"
    store = ResultsStore.open_readonly(out)
    try:
        status.update(totals_from_store(store))
    finally:
        store.close()
    return status
