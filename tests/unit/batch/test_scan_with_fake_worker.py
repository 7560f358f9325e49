"""run_scan end to end with a fake reviewer in real spawned worker processes."""

import csv
import json
from pathlib import Path

from risk_copilot.batch.local_runner import LocalRunner
from risk_copilot.batch.scan import run_scan, scan_status

FAKE = "tests.unit.batch.fake_workers:FakeWorker"


def make_folder(root, n=6):
    (root / "sub").mkdir(parents=True)
    for i in range(n):
        body = f"1. Clause {i} about payment.\n2. Liability is uncapped for contract {i}.\n" if i % 2 else f"1. Plain {i}.\n"
        (root / ("sub" if i % 3 == 0 else ".") / f"c{i}.txt").write_text(body)
    (root / ".hidden.txt").write_text("1. hidden\n")
    (root / "notes.csv").write_text("a,b\n")
    (root / "empty.md").write_text("   \n")
    return root


def scan(src, out, workers=2):
    return run_scan([src], out, contract_type="procurement", show_progress=False,
                    runner=LocalRunner(workers, worker_class=FAKE))


def test_scan_records_every_file_once_and_a_rerun_skips_all(tmp_path):
    src = make_folder(tmp_path / "in")
    (src / "copy.txt").write_text((src / "c1.txt").read_text())  # same bytes as c1
    status = scan(src, tmp_path / "out")
    assert (status["reviewed"], status["errors"], status["duplicates"]) == (6, 1, 1)
    assert status["files_found"] == 8, "hidden files and .csv are not contracts"
    lines = (tmp_path / "out" / "reviews.jsonl").read_text().splitlines()
    assert len(lines) == 6
    with open(tmp_path / "out" / "summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and rows[0]["risk_score"] == "90" and rows[0]["top_finding_1"] == "high: Uncapped liability"
    assert any(r["duplicate_paths"].endswith("copy.txt") or r["path"].endswith("copy.txt") for r in rows)
    with open(tmp_path / "out" / "errors.csv") as handle:
        errors = list(csv.DictReader(handle))
    assert sorted((e["path"].rsplit("/", 1)[-1], e["error_code"]) for e in errors) == \
        [("empty.md", "empty_document"), ("notes.csv", "unsupported_format")]
    assert (status["unsupported"], status["totals"]["unsupported"], status["totals"]["errors"]) == (1, 1, 1)
    again = scan(src, tmp_path / "out")
    assert (again["reviewed"], again["errors"], again["skipped_done"], again["to_review"]) == (0, 0, 8, 0)
    assert again["totals"]["unsupported"] == 1, "re-recorded, not counted twice"
    assert (tmp_path / "out" / "reviews.jsonl").read_text().splitlines() == lines
    assert scan_status(tmp_path / "out")["state"] == "finished"
    manifest = json.loads((tmp_path / "out" / "index" / "manifest.json").read_text())
    assert manifest["count"] == sum(len(json.loads(line)["clauses"]) for line in lines)


def test_a_file_that_kills_its_worker_is_recorded_and_the_batch_goes_on(tmp_path):
    src = make_folder(tmp_path / "in", n=5)
    (src / "killer.txt").write_text("1. CRASH the worker.\n")
    status = scan(src, tmp_path / "out", workers=2)
    assert status["reviewed"] == 5
    with open(tmp_path / "out" / "errors.csv") as handle:
        codes = {r["path"].rsplit("/", 1)[-1]: r["error_code"] for r in csv.DictReader(handle)}
    assert codes == {"killer.txt": "worker_crashed", "empty.md": "empty_document", "notes.csv": "unsupported_format"}
    # worker crashes are retried by the next run (and crash again)
    again = scan(src, tmp_path / "out", workers=1)
    assert (again["retried_errors"], again["to_review"], again["errors"]) == (1, 1, 1)


def test_resume_without_paths_or_type_continues_the_recorded_scan(tmp_path):
    src = make_folder(tmp_path / "in", n=3)
    first = scan(src, tmp_path / "out")
    (src / "late.txt").write_text("1. Added after the first run.\n")
    resumed = run_scan(None, tmp_path / "out", contract_type=None, resume=True, show_progress=False,
                       runner=LocalRunner(1, worker_class=FAKE))
    assert resumed["contract_type"] == "procurement"
    assert (resumed["to_review"], resumed["reviewed"], resumed["skipped_done"]) == (1, 1, first["files_found"])


def test_a_folder_scanned_with_another_embedding_model_is_not_mixed(tmp_path):
    import pytest

    from risk_copilot.batch.errors import BatchError
    from risk_copilot.batch.results_store import ResultsStore

    src = make_folder(tmp_path / "in", n=2)
    store = ResultsStore.open(tmp_path / "out")
    store.set_meta("embedding_model", "some-older-model")
    store.close()
    with pytest.raises(BatchError) as err:
        scan(src, tmp_path / "out")
    assert err.value.code == "embedding_model_changed"


def test_files_of_an_unsupported_format_are_reported_not_silently_dropped(tmp_path):
    src = make_folder(tmp_path / "in", n=2)
    (src / "sub" / "terms.rtf").write_text("{\\rtf1 1. Terms.}")
    (src / ".~lock.rtf").write_text("x")  # hidden: never reported
    (src / ".cache").mkdir()
    (src / ".cache" / "x.bin").write_bytes(b"\0")
    out = src / "scan-out"  # the scan's own output inside the scanned folder: never reported
    first = scan(src, out)
    again = scan(src, out)  # now the output folder holds reports, a sqlite file, contract pages
    for status in (first, again):
        assert status["unsupported"] == 2 and status["totals"]["unsupported"] == 2
    with open(out / "errors.csv") as handle:
        unsupported = sorted(Path(r["path"]).relative_to(src).as_posix() for r in csv.DictReader(handle)
                             if r["error_code"] == "unsupported_format")
    assert unsupported == ["notes.csv", "sub/terms.rtf"]
    (src / "sub" / "terms.rtf").unlink()
    third = scan(src, out)
    assert third["totals"]["unsupported"] == 1, "a removed file leaves the report"


def test_the_lock_file_is_removed_when_a_scan_ends_and_a_stale_one_is_taken_over(tmp_path):
    import os

    import pytest

    from risk_copilot.batch.errors import BatchError
    from risk_copilot.batch.results_store import ResultsStore

    src = make_folder(tmp_path / "in", n=2)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".scan.lock").write_text("999999")  # left by a killed scan: no process holds it
    scan(src, out)
    assert not (out / ".scan.lock").exists()
    assert scan_status(out)["state"] == "finished" and scan_status(out)["live"] is False
    store = ResultsStore.open(out)
    store.set_meta("embedding_model", "some-older-model")
    store.close()
    with pytest.raises(BatchError):
        scan(src, out)
    assert not (out / ".scan.lock").exists(), "removed after an error too"
    assert os.listdir(out)  # the folder itself and its results stay
