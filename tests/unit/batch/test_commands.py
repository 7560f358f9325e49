import argparse

import pytest

from risk_copilot.batch.commands import cmd_scan, cmd_search, register_batch_commands


def parser():
    p = argparse.ArgumentParser()
    register_batch_commands(p.add_subparsers(dest="command", required=True))
    return p


def test_scan_arguments():
    args = parser().parse_args(["scan", "a", "b/", "--type", "nda", "--out", "o", "--workers", "2", "--engine", "ray",
                                "--address", "auto", "--resume"])
    assert (args.paths, args.type, args.out, args.workers, args.engine, args.address, args.resume, args.func) == \
        (["a", "b/"], "nda", "o", 2, "ray", "auto", True, cmd_scan)
    defaults = parser().parse_args(["scan", "--out", "o", "--resume"])
    assert (defaults.paths, defaults.type, defaults.workers, defaults.engine) == ([], None, 1, "local")


def test_search_arguments():
    args = parser().parse_args(["search", "uncapped liability", "--index", "o", "--category", "cap_on_liability",
                                "--k", "5"])
    assert (args.query, args.index, args.category, args.k, args.func) == ("uncapped liability", "o",
                                                                          "cap_on_liability", 5, cmd_search)


@pytest.mark.parametrize("argv", [["scan", "x"], ["scan", "--out", "o", "--type", "lease"], ["search", "q"]])
def test_bad_arguments_are_refused(argv):
    with pytest.raises(SystemExit):
        parser().parse_args(argv)


def test_search_without_an_index_is_a_coded_error(tmp_path):
    from risk_copilot.batch.__main__ import main

    assert main(["search", "anything", "--index", str(tmp_path)]) == 2


@pytest.mark.parametrize("given", ["nonexist", "/dev/null"])
def test_scanning_a_path_that_is_not_a_file_or_folder_is_refused_up_front(tmp_path, capsys, given):
    from risk_copilot.batch.__main__ import main
    from risk_copilot.cli import main as cli_main

    path = str(tmp_path / given) if given == "nonexist" else given
    for run in (main, cli_main):
        assert run(["scan", path, "--out", str(tmp_path / "out"), "--quiet"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: file_not_found: ") and path in err[0], err
        assert not (tmp_path / "out").exists(), "nothing is written to --out"


def test_the_scan_summary_counts_unsupported_files(tmp_path, capsys, monkeypatch):
    import risk_copilot.batch.scan as scan_module
    from risk_copilot.batch.__main__ import main
    from risk_copilot.batch.local_runner import LocalRunner

    real = scan_module.run_scan
    monkeypatch.setattr(scan_module, "run_scan", lambda *a, **k: real(
        *a, **{**k, "runner": LocalRunner(1, worker_class="tests.unit.batch.fake_workers:FakeWorker")}))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("1. Payment within 30 days.\n")
    (tmp_path / "in" / "b.rtf").write_text("{\\rtf1 x}")
    assert main(["scan", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--type", "procurement",
                 "--quiet"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "1 file(s) of an unsupported format not reviewed" in err and "1 unsupported" in err, err
