"""``risk-copilot eval``: the three sub-commands, their JSON, and coded errors."""

from __future__ import annotations

import json
import shutil

import pytest

from risk_copilot.cli import build_parser, main

CONTRACT = ("SUPPLY AGREEMENT\n\n1. Governing Law. This Agreement shall be governed by and construed in accordance "
            "with the laws of the State of New York.\n\n2. Assignment. Neither party may assign this Agreement "
            "without the prior written consent of the other party.\n\n3. Insurance. Supplier shall maintain "
            "commercial general liability insurance of at least USD 1,000,000 per occurrence.\n")


def test_the_eval_group_has_three_commands():
    parser = build_parser()
    for command in ("cuad", "contract-nli", "cases"):
        assert parser.parse_args(["eval", command, "--data", "x"]).eval_command == command


def test_eval_cuad_json_on_a_small_cuad_folder(tmp_path, capsys):
    (tmp_path / "full_contract_txt").mkdir()
    (tmp_path / "full_contract_txt" / "Acme Supply.txt").write_text(CONTRACT)
    (tmp_path / "master_clauses.csv").write_text(
        "Filename,Governing Law,Governing Law-Answer,Insurance,Insurance-Answer\n"
        "Acme Supply.pdf,\"['This Agreement shall be governed by and construed in accordance with the laws of the "
        "State of New York.']\",Yes,\"['Supplier shall maintain commercial general liability insurance']\",Yes\n")
    assert main(["eval", "cuad", "--data", str(tmp_path), "--split", "all", "--no-cache", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["contracts"] == 1 and set(report["macro"]) == {"aupr", "p_at_80r", "p_at_90r"}
    assert set(report["per_category"]) == {"governing_law", "insurance"}
    assert report["playbook_macro"]["aupr"] is not None
    # the trained heads put each annotated clause first in its category
    assert report["per_category"]["governing_law"]["aupr"] == 1.0
    assert report["per_category"]["insurance"]["aupr"] == 1.0
    assert report["category_heads"].startswith("cuad-heads@")


def test_eval_cuad_without_cuad_layout_is_a_coded_error(tmp_path, capsys):
    assert main(["eval", "cuad", "--data", str(tmp_path)]) == 2
    assert "bad_eval_data" in capsys.readouterr().err


def test_eval_cases_reports_totals_and_fails_on_a_missed_expectation(tmp_path, shared_dir, capsys):
    shutil.copy(shared_dir / "cases" / "proc-no-cap.md", tmp_path / "proc-no-cap.md")
    case = json.loads((shared_dir / "cases" / "proc-no-cap.json").read_text())
    (tmp_path / "proc-no-cap.json").write_text(json.dumps(case))
    assert main(["eval", "cases", "--data", str(tmp_path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["cases"], summary["cases_passed"], summary["expectations_met"]) == (1, 1, 1)
    case["expect"].append({"kind_any": ["missing"], "category_any": ["governing_law"], "min_severity": "high"})
    (tmp_path / "proc-no-cap.json").write_text(json.dumps(case))
    assert main(["eval", "cases", "--data", str(tmp_path)]) == 3
    assert "expectations met 1/2" in capsys.readouterr().out
