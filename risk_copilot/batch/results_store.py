"""The results of a scan, keyed by each file's sha256, that survive a SIGKILL.

Two files in the output folder:

* ``results.sqlite`` (WAL, ``synchronous=FULL``) is the commit point. One transaction
  per contract writes its result row (status, scores, error code, the review JSON
  compressed) and its clauses with their embedding vectors (the portfolio index is
  built from these, nothing is re-embedded). A contract is done exactly when its row
  is committed.
* ``reviews.jsonl`` is the append-only export of the reviewed contracts, one review JSON
  per line, appended and ``fsync``-ed *after* the commit.

``open`` reconciles the two after a crash: a torn last line is cut off, rows committed
but not yet appended are appended, and lines without a committed row (impossible by
the write order, but cheap to guard) are dropped. So a killed run loses at most the
contracts in flight and duplicates nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('reviewed', 'other', 'error')),
    contract_type TEXT,
    detected_type TEXT,
    type_confidence REAL,
    risk_score INTEGER,
    decision TEXT,
    high INTEGER DEFAULT 0, medium INTEGER DEFAULT 0, low INTEGER DEFAULT 0, info INTEGER DEFAULT 0,
    top_findings TEXT,
    categories TEXT,
    error_code TEXT,
    error_message TEXT,
    clause_count INTEGER DEFAULT 0,
    review BLOB,
    seconds REAL,
    worker TEXT,
    worker_rss_mb REAL,
    finished_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS paths (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS clauses (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL REFERENCES results(sha256) ON DELETE CASCADE,
    clause_id TEXT NOT NULL,
    section TEXT, heading TEXT,
    start INTEGER NOT NULL, "end" INTEGER NOT NULL,
    categories TEXT NOT NULL,
    flagged TEXT,
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS clauses_by_sha ON clauses(sha256);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

#: Error codes caused by the run rather than the file: retried by the next run.
RETRYABLE_ERROR_CODES = frozenset({"internal_error", "worker_crashed", "out_of_memory", "file_changed", "unreadable_file",
                                   "file_not_found", "invalid_playbook", "path_outside_root"})
SEVERITIES = ("high", "medium", "low", "info")


@dataclass(frozen=True)
class ScanOutcome:
    """What a worker returns for one file (picklable, also through Ray)."""

    sha256: str
    path: str
    status: str  # reviewed | other | error
    review: dict[str, Any] | None = None
    vectors: np.ndarray | None = None  # (clauses, 384) float32, row i = review["clauses"][i]
    detected_type: str | None = None
    type_confidence: float | None = None
    error_code: str | None = None
    error_message: str | None = None
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # CPU time of the worker process on this file (all its threads)
    worker: str = ""
    worker_rss_mb: float = 0.0


def _severity_counts(findings: list[dict[str, Any]]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITIES}


def top_findings(findings: list[dict[str, Any]], n: int = 3) -> list[dict[str, Any]]:
    """The ``n`` most severe findings (severity, then confidence), as short dicts."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    ranked = sorted(findings, key=lambda f: (order[f["severity"]], -float(f.get("confidence") or 0)))
    return [{"severity": f["severity"], "title": f["title"], "category": f["category"], "id": f["id"]} for f in ranked[:n]]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class ResultsStore:
    """Open with :meth:`open`; one writer process at a time (the scan holds a lock)."""

    def __init__(self, out_dir: Path, connection: sqlite3.Connection) -> None:
        self.out_dir = out_dir
        self.db = connection
        self.jsonl_path = out_dir / "reviews.jsonl"

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, out_dir: str | os.PathLike[str], *, reconcile: bool = True) -> "ResultsStore":
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(out / "results.sqlite", timeout=30, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.executescript(SCHEMA)
        store = cls(out, connection)
        if reconcile:
            store.reconcile_jsonl()
        return store

    @classmethod
    def open_readonly(cls, out_dir: str | os.PathLike[str]) -> "ResultsStore":
        out = Path(out_dir)
        connection = sqlite3.connect(f"file:{out / 'results.sqlite'}?mode=ro", uri=True, timeout=30, isolation_level=None)
        return cls(out, connection)

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ meta and paths

    def get_meta(self, key: str) -> Any:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def record_paths(self, pairs: list[tuple[str, str]]) -> None:
        with self._transaction():
            self.db.executemany("INSERT OR REPLACE INTO paths(path, sha256) VALUES (?, ?)", pairs)

    def paths_by_sha(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for path, sha in self.db.execute("SELECT path, sha256 FROM paths ORDER BY path"):
            out.setdefault(sha, []).append(path)
        return out

    # ------------------------------------------------------------ done set

    def done_hashes(self) -> set[str]:
        """Hashes that a run must skip: every committed result except retryable errors."""
        placeholders = ",".join("?" * len(RETRYABLE_ERROR_CODES))
        rows = self.db.execute(
            f"SELECT sha256 FROM results WHERE NOT (status = 'error' AND error_code IN ({placeholders}))",
            tuple(RETRYABLE_ERROR_CODES),
        )
        return {r[0] for r in rows}

    def forget_retryable_errors(self) -> int:
        """Delete the errors the next run retries; also the files of a scanned folder recorded by
        path as ``unsupported_format`` (re-recorded while they are there, gone once removed). Returns
        how many retryable errors were deleted."""
        placeholders = ",".join("?" * len(RETRYABLE_ERROR_CODES))
        with self._transaction():
            cursor = self.db.execute(
                f"DELETE FROM results WHERE status = 'error' AND error_code IN ({placeholders})", tuple(RETRYABLE_ERROR_CODES)
            )
            retried = cursor.rowcount
            self.db.execute("DELETE FROM results WHERE status = 'error' AND error_code = 'unsupported_format'"
                            " AND sha256 LIKE 'path:%'")
        return retried

    # ------------------------------------------------------------ commit

    def _transaction(self):
        store = self

        class _Tx:
            def __enter__(self_inner):
                store.db.execute("BEGIN IMMEDIATE")

            def __exit__(self_inner, exc_type, exc, tb):
                store.db.execute("ROLLBACK" if exc_type else "COMMIT")
                return False

        return _Tx()

    def commit(self, outcome: ScanOutcome) -> bool:
        """Commit one outcome, then append its review to reviews.jsonl. Returns False (and
        writes nothing) when the hash is already committed."""
        review = outcome.review
        with self._transaction():
            if self.db.execute("SELECT 1 FROM results WHERE sha256 = ?", (outcome.sha256,)).fetchone():
                return False
            seq = self.db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM results").fetchone()[0]
            counts = dict.fromkeys(SEVERITIES, 0)
            top: list[dict[str, Any]] = []
            categories: list[str] = []
            blob = None
            if outcome.status == "reviewed" and review is not None:
                counts = _severity_counts(review["findings"])
                top = top_findings(review["findings"])
                categories = sorted({f["category"] for f in review["findings"]})
                blob = zlib.compress(json.dumps(review, ensure_ascii=False).encode("utf-8"), 6)
            self.db.execute(
                "INSERT INTO results(sha256, seq, path, status, contract_type, detected_type, type_confidence, risk_score,"
                " decision, high, medium, low, info, top_findings, categories, error_code, error_message, clause_count,"
                " review, seconds, worker, worker_rss_mb, finished_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    outcome.sha256, seq, outcome.path, outcome.status,
                    review["contract_type"] if review else None, outcome.detected_type, outcome.type_confidence,
                    review["risk_score"] if review else None, review["decision"] if review else None,
                    counts["high"], counts["medium"], counts["low"], counts["info"],
                    json.dumps(top), json.dumps(categories), outcome.error_code, outcome.error_message,
                    len(review["clauses"]) if review else 0, blob, outcome.seconds, outcome.worker,
                    outcome.worker_rss_mb, time.time(),
                ),
            )
            if review is not None and outcome.vectors is not None:
                self.db.executemany(
                    'INSERT INTO clauses(sha256, clause_id, section, heading, start, "end", categories, flagged, text, vector)'
                    " VALUES (?,?,?,?,?,?,?,?,?,?)",
                    list(_clause_rows(outcome.sha256, review, outcome.vectors)),
                )
        if outcome.status == "reviewed" and review is not None:
            self._append_jsonl([jsonl_record(outcome.sha256, outcome.path, outcome.detected_type,
                                             outcome.type_confidence, review)])
        return True

    # ------------------------------------------------------------ reviews.jsonl

    def _append_jsonl(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        existed = self.jsonl_path.exists()
        with open(self.jsonl_path, "ab") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        if not existed:
            _fsync_dir(self.out_dir)

    def jsonl_hashes(self) -> list[str]:
        if not self.jsonl_path.exists():
            return []
        hashes = []
        with open(self.jsonl_path, "rb") as handle:
            for line in handle:
                hashes.append(json.loads(line)["scan"]["sha256"])
        return hashes

    def reconcile_jsonl(self) -> dict[str, int]:
        """Repair reviews.jsonl after a crash (see the module docstring)."""
        report = {"truncated_bytes": 0, "appended": 0, "dropped": 0}
        path = self.jsonl_path
        if path.exists():
            data = path.read_bytes()
            cut = data.rfind(b"\n") + 1
            if cut < len(data):
                with open(path, "r+b") as handle:
                    handle.truncate(cut)
                    handle.flush()
                    os.fsync(handle.fileno())
                report["truncated_bytes"] = len(data) - cut
        committed = {r[0] for r in self.db.execute("SELECT sha256 FROM results WHERE status = 'reviewed'")}
        seen: set[str] = set()
        keep_lines: list[bytes] = []
        rewrite = False
        if path.exists():
            with open(path, "rb") as handle:
                for line in handle:
                    sha = json.loads(line)["scan"]["sha256"]
                    if sha in seen or sha not in committed:
                        rewrite = True
                        report["dropped"] += 1
                        continue
                    seen.add(sha)
                    keep_lines.append(line)
        if rewrite:
            tmp = path.with_suffix(".jsonl.tmp")
            with open(tmp, "wb") as handle:
                handle.writelines(keep_lines)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
            _fsync_dir(self.out_dir)
        missing = [sha for sha in self._reviewed_in_order() if sha not in seen]
        for sha in missing:
            row = self.db.execute(
                "SELECT path, detected_type, type_confidence, review FROM results WHERE sha256 = ?", (sha,)
            ).fetchone()
            review = json.loads(zlib.decompress(row[3]))
            self._append_jsonl([jsonl_record(sha, row[0], row[1], row[2], review)])
            report["appended"] += 1
        return report

    def _reviewed_in_order(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT sha256 FROM results WHERE status = 'reviewed' ORDER BY seq")]

    # ------------------------------------------------------------ reading

    def result_rows(self) -> list[dict[str, Any]]:
        cursor = self.db.execute(
            "SELECT sha256, seq, path, status, contract_type, detected_type, type_confidence, risk_score, decision,"
            " high, medium, low, info, top_findings, categories, error_code, error_message, clause_count, seconds,"
            " worker, worker_rss_mb, finished_at FROM results ORDER BY seq"
        )
        names = [d[0] for d in cursor.description]
        rows = []
        for values in cursor:
            row = dict(zip(names, values))
            row["top_findings"] = json.loads(row["top_findings"] or "[]")
            row["categories"] = json.loads(row["categories"] or "[]")
            rows.append(row)
        return rows

    def review(self, sha256: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT review FROM results WHERE sha256 = ?", (sha256,)).fetchone()
        return json.loads(zlib.decompress(row[0])) if row and row[0] else None

    def iter_reviews(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for sha, blob in self.db.execute("SELECT sha256, review FROM results WHERE status = 'reviewed' ORDER BY seq"):
            yield sha, json.loads(zlib.decompress(blob))

    def count(self, status: str | None = None) -> int:
        if status is None:
            return self.db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM results WHERE status = ?", (status,)).fetchone()[0]

    def clause_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM clauses").fetchone()[0]

    def iter_clauses(self, batch: int = 5000) -> Iterator[tuple[list[dict[str, Any]], np.ndarray]]:
        """Clauses with their vectors, in batches (metadata list, (n, d) float32 array)."""
        cursor = self.db.execute(
            'SELECT c.sha256, r.path, c.clause_id, c.section, c.heading, c.start, c."end", c.categories, c.flagged,'
            " c.text, c.vector, r.contract_type, r.risk_score FROM clauses c JOIN results r USING (sha256)"
            " ORDER BY r.seq, c.id"
        )
        while rows := cursor.fetchmany(batch):
            meta = [
                {"sha256": r[0], "path": r[1], "clause_id": r[2], "section": r[3], "heading": r[4], "start": r[5],
                 "end": r[6], "categories": json.loads(r[7]), "flagged": json.loads(r[8]) if r[8] else [],
                 "text": r[9], "contract_type": r[11], "risk_score": r[12]}
                for r in rows
            ]
            vectors = np.stack([np.frombuffer(r[10], dtype=np.float32) for r in rows])
            yield meta, vectors


def jsonl_record(sha: str, path: str, detected_type: str | None, confidence: float | None,
                 review: dict[str, Any]) -> dict[str, Any]:
    """One reviews.jsonl line: the review JSON plus a ``scan`` block (path, hash, detection)."""
    record = dict(review)
    record["scan"] = {"path": path, "sha256": sha, "detected_type": detected_type, "type_confidence": confidence}
    return record


def _clause_rows(sha: str, review: dict[str, Any], vectors: np.ndarray):
    if len(vectors) != len(review["clauses"]):
        raise ValueError(f"{len(vectors)} vectors for {len(review['clauses'])} clauses")
    flagged: dict[str, list[dict[str, str]]] = {}
    for finding in review["findings"]:
        for evidence in finding.get("evidence", []):
            cid = evidence.get("clause_id")
            if cid:
                flagged.setdefault(cid, []).append({"finding": finding["id"], "severity": finding["severity"],
                                                    "category": finding["category"], "title": finding["title"]})
    text = review.get("text", "")
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    for clause, vector in zip(review["clauses"], vectors):
        yield (
            sha, clause["id"], clause.get("section"), clause.get("heading"), clause["start"], clause["end"],
            json.dumps([c["name"] for c in clause.get("categories", [])]),
            json.dumps(flagged[clause["id"]]) if clause["id"] in flagged else None,
            text[clause["start"]:clause["end"]], vector.tobytes(),
        )
