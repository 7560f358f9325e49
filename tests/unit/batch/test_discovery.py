"""Discovery never follows a symlink (file or folder) whose real path leaves the scanned
folder, or the configured root; it reports it as refused with a code."""

import csv
import os

from risk_copilot.batch.discovery import discover_contract_files, find_contract_files
from risk_copilot.batch.local_runner import LocalRunner
from risk_copilot.batch.scan import run_scan

FAKE = "tests.unit.batch.fake_workers:FakeWorker"


def make_tree(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "scanned" / "sub").mkdir(parents=True)
    (root / "sibling").mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("1. Secret outside the root.\n")
    (root / "sibling" / "neighbour.txt").write_text("1. Inside the root, outside the scanned folder.\n")
    (root / "scanned" / "own.txt").write_text("1. Own contract.\n")
    (root / "scanned" / "sub" / "deep.txt").write_text("1. Deep contract.\n")
    os.symlink(outside / "secret.txt", root / "scanned" / "leak.txt")
    os.symlink(outside, root / "scanned" / "escape", target_is_directory=True)
    os.symlink(root / "sibling", root / "scanned" / "to-sibling", target_is_directory=True)
    os.symlink(root / "sibling" / "neighbour.txt", root / "scanned" / "neighbour-link.txt")
    os.symlink(root / "scanned", root / "scanned" / "sub" / "loop", target_is_directory=True)
    return root, outside


def names(paths):
    return sorted(p.as_posix().rsplit("/scanned/", 1)[-1] for p in paths)


def test_links_leaving_the_scanned_folder_are_refused_not_read(tmp_path):
    root, _ = make_tree(tmp_path)
    found = discover_contract_files([root / "scanned"])
    assert names(found.files) == ["own.txt", "sub/deep.txt"]
    refused = {os.path.relpath(r.path, root / "scanned"): r.code for r in found.refused}
    assert refused == {"leak.txt": "path_outside_root", "escape": "path_outside_root",
                       "to-sibling": "path_outside_root", "neighbour-link.txt": "path_outside_root"}
    assert all(not str(p).endswith("secret.txt") for p in find_contract_files([root / "scanned"]))


def test_with_a_root_links_inside_the_root_are_followed_and_others_refused(tmp_path):
    root, outside = make_tree(tmp_path)
    found = discover_contract_files([root / "scanned"], root=root)
    assert names(found.files) == ["neighbour-link.txt", "own.txt", "sub/deep.txt"]  # each real file once
    refused = sorted(os.path.relpath(r.path, root / "scanned") for r in found.refused)
    assert refused == ["escape", "leak.txt"]
    given_outside = discover_contract_files([outside / "secret.txt"], root=root)
    assert given_outside.files == [] and [r.code for r in given_outside.refused] == ["path_outside_root"]


def test_a_scan_records_refused_links_as_errors_and_never_reviews_them(tmp_path):
    root, _ = make_tree(tmp_path)
    status = run_scan([root / "scanned"], tmp_path / "out", contract_type="procurement", show_progress=False,
                      runner=LocalRunner(1, worker_class=FAKE))
    assert status["reviewed"] == 2 and status["refused"] == 4
    reviews = (tmp_path / "out" / "reviews.jsonl").read_text()
    assert "Secret outside" not in reviews and "neighbour" not in reviews
    with open(tmp_path / "out" / "errors.csv") as handle:
        codes = {r["path"].rsplit("/", 1)[-1]: r["error_code"] for r in csv.DictReader(handle)}
    assert codes == dict.fromkeys(["escape", "leak.txt", "neighbour-link.txt", "to-sibling"], "path_outside_root")
