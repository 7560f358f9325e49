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
