"""``python -m hardening.run``: every part present runs, absent parts are listed, a part
that raises or reports not-ok fails the run; the fuzz runner counts executions."""

from __future__ import annotations

import json
import sys
import types
from importlib.machinery import ModuleSpec

import pytest

from hardening import run as hardening_run


def _fake_part(monkeypatch, name: str, run) -> str:
    module = types.ModuleType(name)
    module.__spec__ = ModuleSpec(name, None)
    module.run = run
    monkeypatch.setitem(sys.modules, name, module)
    return name


def test_parts_report_ok_absent_raised_and_failed(monkeypatch, capsys):
    calls = []
    good = _fake_part(monkeypatch, "hardening_fake_good", lambda quick: calls.append(quick) or {"cases": 3, "ok": True})
    bad = _fake_part(monkeypatch, "hardening_fake_bad", lambda quick: {"cases": 3, "failures": 1, "ok": False})

    def boom(quick):
        raise RuntimeError("part exploded")

    raising = _fake_part(monkeypatch, "hardening_fake_raising", boom)
    monkeypatch.setattr(hardening_run, "PARTS", (("bad_inputs", good), ("fuzzing", "hardening_no_such_module")))
    assert hardening_run.main(["--quick"]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["ok"] is True and summary["quick"] is True and calls == [True]
    assert summary["hardening"]["fuzzing"] == {"absent": True}
    assert "cases=3" in out and "absent" in out

    for failing in (bad, raising):
        monkeypatch.setattr(hardening_run, "PARTS", (("bad_inputs", good), ("load", failing)))
        assert hardening_run.main([]) == 1
        summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert summary["ok"] is False and summary["hardening"]["load"]["ok"] is False
    assert "part exploded" in json.dumps(summary)


def test_only_absent_parts_is_not_a_pass(monkeypatch, capsys):
    monkeypatch.setattr(hardening_run, "PARTS", (("bad_inputs", "hardening_no_such_module"),))
    assert hardening_run.main([]) == 1


def test_the_parts_of_issue_7_are_all_listed():
    assert [p for p, _ in hardening_run.PARTS] == ["bad_inputs", "fuzzing", "conformance", "load", "faults", "access"]


@pytest.mark.hardening
def test_a_short_fuzz_run_counts_executions(tmp_path):
    from hardening.fuzzing import fuzz_target

    result = fuzz_target("extract_percentages", 4, tmp_path)
    assert result["executions"] > 100, result
    assert result["crashes"] == 0, result
