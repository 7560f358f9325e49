"""The ``risk-copilot review`` command on real files: formats, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from risk_copilot import cli
from tests.document_builders import encrypt_pdf, make_pdf

REPO = Path(__file__).resolve().parents[2]
CASES = REPO.parent / "shared" / "cases"


@pytest.fixture
def run_cli(review_engine, monkeypatch, capsys):
    """Run the CLI in-process with the session's engine (the model loads once)."""
    monkeypatch.setattr(cli, "_engine", lambda args: review_engine)

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_json_review_of_a_case(run_cli):
    code, out, err = run_cli("review", str(CASES / "proc-minimum.md"), "--type", "procurement")
    assert code == 0, err
    review = json.loads(out)
    assert review["playbook"] == {"id": "procurement", "version": review["playbook"]["version"]}
    assert review["document"]["format"] == "md" and len(review["document"]["sha256"]) == 64
    finding = next(f for f in review["findings"] if f["category"] == "minimum_commitment")
    assert "at least USD 5,000,000" in finding["evidence"][0]["text"]
    assert finding["expected"] and finding["suggestion"] and finding["approver_role"] == "finance"
    assert review["decision"] in ("escalate", "reject") and "finance" in review["approvers"]


def test_fail_on_exit_codes(run_cli):
    assert run_cli("review", str(CASES / "proc-no-cap.md"), "--type", "procurement", "--fail-on", "high")[0] == 3
    assert run_cli("review", str(CASES / "base-procurement.md"), "--type", "procurement", "--fail-on", "high")[0] == 0


def test_table_format_is_readable(run_cli):
    code, out, _ = run_cli("review", str(CASES / "proc-supplier-tfc.md"), "--type", "procurement", "--format", "table")
    assert code == 0
    assert "termination_for_convenience" in out and "decision" in out and "high" in out


def test_html_format_highlights_and_escapes(run_cli, tmp_path):
    hostile = (CASES / "proc-minimum.md").read_text().replace(
        "Customer commits to buy", "<script>alert('x')</script> Customer commits to buy")
    source = tmp_path / "hostile.md"
    source.write_text(hostile)
    out_file = tmp_path / "review.html"
    code, _, err = run_cli("review", str(source), "--type", "procurement", "--format", "html", "--out", str(out_file))
    assert code == 0, err
    page = out_file.read_text()
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert 'class="sev-high"' in page and "Minimum purchase commitment" in page
    assert "http://" not in page and "https://" not in page  # standalone: loads nothing


def test_docx_and_pdf_inputs_are_reviewed(run_cli, tmp_path):
    lines = [l for l in (CASES / "proc-minimum.md").read_text().splitlines() if l.strip() and not l.startswith("|")]
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line.replace("**", ""))
    docx_path = tmp_path / "proc-minimum.docx"
    document.save(docx_path)
    code, out, err = run_cli("review", str(docx_path), "--type", "procurement", "--no-text")
    assert code == 0, err
    review = json.loads(out)
    assert review["document"]["format"] == "docx" and "text" not in review
    assert any(f["category"] == "minimum_commitment" for f in review["findings"])

    pdf_text = "\n".join(
        ["SUPPLY AGREEMENT", "2. Ordering.",
         "Customer commits to buy Products worth at least USD 5,000,000 in each year,",
         "and Customer will pay Supplier any shortfall within thirty (30) days.",
         "17. Governing Law.", "Massachusetts law governs this Agreement."])
    pdf_path = tmp_path / "contract.pdf"
    pdf_path.write_bytes(make_pdf([pdf_text]))
    code, out, err = run_cli("review", str(pdf_path), "--type", "procurement")
    assert code == 0, err
    review = json.loads(out)
    assert review["document"]["format"] == "pdf"
    assert any(f["category"] == "minimum_commitment" for f in review["findings"])


@pytest.mark.parametrize(
    "name, data, code",
    [
        ("empty.txt", b"", "empty_document"),
        ("blank.md", b"   \n\n  \t", "empty_document"),
        ("scan.pdf", make_pdf([None]), "scanned_pdf"),
        ("locked.pdf", encrypt_pdf(make_pdf(["1. Term. Secret text."]), "pw"), "encrypted_file"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "corrupt_file"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "corrupt_file"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "unsupported_format"),
        ("junk.txt", bytes(range(256)) * 8, None),
    ],
)
def test_bad_input_gives_exit_2_and_one_line(run_cli, tmp_path, name, data, code):
    path = tmp_path / name
    path.write_bytes(data)
    exit_code, out, err = run_cli("review", str(path), "--type", "nda")
    assert exit_code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err
    if code:
        assert err.startswith(f"error: {code}:")


def test_missing_file_and_broken_playbook(run_cli, tmp_path):
    code, _, err = run_cli("review", str(tmp_path / "nope.md"), "--type", "nda")
    assert code == 2 and err.startswith("error: file_not_found:")
    playbook = tmp_path / "broken.yaml"
    playbook.write_text("id: broken\nversion: '1'\ncontract_type: nda\ntitle: x\nour_side: either\nparameters: []\n")
    code, _, err = run_cli("review", str(CASES / "base-nda.md"), "--type", "nda", "--playbook", str(playbook))
    assert code == 2 and err.startswith("error: invalid_playbook:") and "broken.yaml:6" in err


def test_a_new_process_has_no_traceback_on_bad_input(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "risk_copilot.cli", "review", str(empty), "--type", "nda"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: empty_document:") and "Traceback" not in result.stderr


def test_rules_and_validate_commands(run_cli):
    code, out, _ = run_cli("rules")
    assert code == 0 and "value_range" in out and "similar_to_standard" in out
    code, out, _ = run_cli("playbook", "validate", str(REPO / "corpora/playbooks/nda.yaml"))
    assert code == 0 and "ok" in out


def test_validate_reports_every_file_and_fails_when_one_is_bad(run_cli, tmp_path):
    bad = tmp_path / "sev.yaml"
    bad.write_text((REPO / "corpora/playbooks/nda.yaml").read_text().replace("severity: high", "severity: extreme", 1))
    code, out, err = run_cli("playbook", "validate", str(bad), str(REPO / "corpora/playbooks/nda.yaml"),
                             str(REPO / "corpora/playbooks/procurement.yaml"))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: invalid_playbook:") and "sev.yaml:" in err
    assert out.count(": ok (") == 2 and "procurement.yaml: ok" in out


def test_unknown_type_is_one_coded_line_and_the_type_is_case_insensitive(run_cli):
    code, out, err = run_cli("review", str(CASES / "base-nda.md"), "--type", "lease")
    assert code == 2 and out == ""
    assert err == "error: unknown_contract_type: --type 'lease': unknown contract type; known types: nda, procurement\n"
    code, out, err = run_cli("review", str(CASES / "base-nda.md"), "--type", "NDA")
    assert code == 0, err
    assert json.loads(out)["contract_type"] == "nda"


def test_a_playbook_for_another_type_than_type_is_refused(run_cli):
    code, out, err = run_cli("review", str(CASES / "base-nda.md"), "--type", "procurement",
                             "--playbook", str(REPO / "corpora/playbooks/nda.yaml"))
    assert code == 2 and out == "" and err.startswith("error: playbook_type_mismatch:") and "--type nda" in err


def test_text_that_is_no_contract_gets_a_finding_saying_so(run_cli, tmp_path):
    recipe = tmp_path / "recipe.txt"
    recipe.write_text("Banana bread\n\nMash three ripe bananas. Mix in butter, sugar, one egg and flour.\n")
    code, out, err = run_cli("review", str(recipe), "--type", "procurement")
    assert code == 0, err
    review = json.loads(out)
    assert [f["title"] for f in review["findings"] if f["category"] == "contract_type_mismatch"] == [
        "This does not read like a contract"]
    assert review["decision"] != "approve"


def test_table_escapes_control_characters_of_the_file_name(run_cli, tmp_path):
    hostile = tmp_path / "evil\nerror: forged.md"
    hostile.write_text((CASES / "base-procurement.md").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run_cli("review", str(hostile), "--type", "procurement", "--format", "table")
    assert code == 0, err
    assert not any(line.startswith("error: forged") for line in out.splitlines())
    assert "evil\\x0aerror: forged.md" in out


def test_a_coded_error_of_a_plugged_in_command_is_one_line_exit_2(monkeypatch, capsys):
    class Refused(Exception):
        code = "not_found"
        message = "organisation 'nowhere' not found"

    def refuse(args):
        raise Refused()

    monkeypatch.setattr(cli, "cmd_rules", refuse)
    assert cli.main(["rules"]) == 2
    assert capsys.readouterr().err == "error: not_found: organisation 'nowhere' not found\n"


def test_out_into_a_missing_folder_is_refused_before_the_review(run_cli, tmp_path):
    code, out, err = run_cli("review", str(CASES / "base-nda.md"), "--type", "nda",
                             "--out", str(tmp_path / "missing" / "review.json"))
    assert code == 2 and out == ""
    assert err.startswith("error: output_folder_missing:") and err.count("\n") == 1


@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_the_balanced_base_nda_gets_no_finding_whatever_its_extension(run_cli, tmp_path, suffix):
    copy = tmp_path / f"base-nda{suffix}"
    copy.write_text((CASES / "base-nda.md").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run_cli("review", str(copy), "--type", "nda")
    assert code == 0, err
    review = json.loads(out)
    assert review["findings"] == [] and review["decision"] == "approve"


def test_liquidated_damages_percentage_is_not_read_as_late_interest(run_cli):
    """"calculated" contains "late": the late-interest rule matches whole words only."""
    code, out, err = run_cli("review", str(CASES / "proc-liquidated.md"), "--type", "procurement")
    assert code == 0, err
    review = json.loads(out)
    categories = {f["category"] for f in review["findings"]}
    assert "liquidated_damages" in categories and "payment_terms" not in categories


def test_out_onto_the_contract_itself_is_refused_and_the_contract_kept(run_cli, tmp_path):
    contract = tmp_path / "contract.md"
    contract.write_text((CASES / "base-nda.md").read_text())
    before = contract.read_bytes()
    code, out, err = run_cli("review", str(contract), "--type", "nda", "--format", "html", "--out", str(contract))
    assert code == 2 and err.startswith("error: output_is_input:") and err.count("\n") == 1
    assert contract.read_bytes() == before


@pytest.mark.parametrize("variable, value, named", [
    ("RISK_COPILOT_EMBEDDING_BACKEND", "bogus", "'static', 'onnx-int8' or 'torch-fp32'"),
    ("RISK_COPILOT_MAX_FILE_BYTES", "abc", "valid integer"),
    ("RISK_COPILOT_EMBED_BATCH_SIZE", "0", "greater than 0"),
    ("RISK_COPILOT_MODEL_PATH", "/nonexistent/model", "directory"),
    ("RISK_COPILOT_PLAYBOOK_DIR", "/nonexistent/playbooks", "directory"),
])
def test_a_bad_setting_is_one_line_naming_the_variable(variable, value, named, monkeypatch, capsys):
    monkeypatch.setenv(variable, value)
    code = cli.main(["review", str(CASES / "base-nda.md"), "--type", "nda"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith(f"error: invalid_setting: {variable}={value!r}:") and named in err and err.count("\n") == 1


@pytest.mark.parametrize("repeat", ["0", "-5", "two"])
def test_bench_refuses_a_repeat_below_one(repeat, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["bench", str(CASES / "base-nda.md"), "--repeat", repeat])
    assert exit_.value.code == 2 and "--repeat" in capsys.readouterr().err
