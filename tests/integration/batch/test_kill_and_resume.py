"""SIGKILL a real scan (parent and workers) mid-run, resume it, and check that nothing
was lost and nothing duplicated."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from risk_copilot.batch import scan_status
from risk_copilot.batch.discovery import find_contract_files, sha256_of_file
from tests.integration.batch.conftest import copy_cases

REPO = Path(__file__).resolve().parents[3]
CUAD = ["AgapeAtpCorp_20191202_10-KA_EX-10.1_11911128_EX-10.1_Supply Agreement.txt",
        "Apollo Endosurgery - Manufacturing and Supply Agreement.txt",
        "ABILITYINC_06_15_2020-EX-4.25-SERVICES AGREEMENT.txt"]


def committed(out: Path) -> int:
    if not (out / "results.sqlite").exists():
        return 0
    try:
        with sqlite3.connect(f"file:{out / 'results.sqlite'}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def scan_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "risk_copilot.batch", "scan", "--type", "auto", "--quiet", *args]


def test_sigkill_mid_scan_then_resume_loses_and_duplicates_nothing(shared_dir, tmp_path):
    src = tmp_path / "in"
    copy_cases(shared_dir, src)
    cuad = shared_dir / "corpora" / "cuad" / "full_contract_txt"
    extra = sorted(p.name for p in cuad.glob("*.txt"))[:12]  # enough work that the kill lands mid-run
    for name in dict.fromkeys(CUAD + extra):
        (src / name).write_bytes((cuad / name).read_bytes())
    files = find_contract_files([src])
    file_hashes = [sha256_of_file(p) for p in files]  # two CUAD files have the same bytes
    all_hashes = set(file_hashes)
    out = tmp_path / "out"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONPATH": str(REPO)}

    scan = subprocess.Popen(scan_command(str(src), "--out", str(out)), cwd=REPO, env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 600
    while committed(out) < 3:
        assert scan.poll() is None, f"the scan ended before it could be killed: {scan.stderr.read().decode()[-2000:]}"
        assert time.time() < deadline, "no results within 10 minutes"
        time.sleep(0.2)
    os.killpg(scan.pid, signal.SIGKILL)  # the scan and its spawned workers, no clean-up of any kind
    scan.wait(timeout=60)
    done_before = committed(out)
    assert 3 <= done_before < len(all_hashes), "the kill must land mid-run"
    with sqlite3.connect(f"file:{out / 'results.sqlite'}?mode=ro", uri=True) as db:
        before = {r[0] for r in db.execute("SELECT sha256 FROM results")}
    assert scan_status(out)["state"] == "interrupted"
    assert (out / ".scan.lock").exists(), "a killed scan leaves its lock file behind (held by no process)"

    resumed = subprocess.run(scan_command("--out", str(out), "--resume"), cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=1200)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert not (out / ".scan.lock").exists(), "the stale lock was taken over, then removed at the end"
    status = json.loads((out / "status.json").read_text())
    assert status["skipped_done"] == sum(1 for sha in file_hashes if sha in before), \
        "work committed before the kill is not redone"
    assert status["to_review"] == len(all_hashes) - done_before

    with sqlite3.connect(out / "results.sqlite") as db:
        rows = db.execute("SELECT sha256, status, clause_count FROM results").fetchall()
        clause_rows = dict(db.execute("SELECT sha256, COUNT(*) FROM clauses GROUP BY sha256").fetchall())
    assert {r[0] for r in rows} == all_hashes and len(rows) == len(all_hashes)
    assert all(r[1] in ("reviewed", "other") for r in rows), rows  # no errors, no crashes
    reviewed = {r[0] for r in rows if r[1] == "reviewed"}
    raw = (out / "reviews.jsonl").read_bytes()
    assert raw.endswith(b"\n")
    lines = [json.loads(line) for line in raw.splitlines()]
    shas = [line["scan"]["sha256"] for line in lines]
    assert sorted(shas) == sorted(reviewed), "each reviewed contract exactly once in reviews.jsonl"
    for line in lines:
        assert clause_rows[line["scan"]["sha256"]] == len(line["clauses"]), "clause vectors stored once per clause"

    third = subprocess.run(scan_command(str(src), "--out", str(out)), cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=600)
    assert third.returncode == 0, third.stderr[-3000:]
    status = json.loads((out / "status.json").read_text())
    assert (status["skipped_done"], status["to_review"]) == (len(files), 0)
