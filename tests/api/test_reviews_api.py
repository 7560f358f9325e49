"""Review API: JSON and multipart reviews, stored reviews, approval checks, and their errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document

from tests.api.conftest import assert_error, auth
from risk_copilot.evaluation.cases import finding_matches

CASES = sorted((Path(__file__).resolve().parents[2].parent / "shared" / "cases").glob("*.json"))


@pytest.mark.parametrize("case_path", CASES, ids=[p.stem for p in CASES])
def test_post_review_upload_finds_what_each_case_expects(client, tokens, case_path):
    case = json.loads(case_path.read_text())
    doc = case_path.with_name(case["file"])
    r = client.post("/v1/reviews", headers=auth(tokens["legal"]), data={"contract_type": case["contract_type"]},
                    files={"file": (doc.name, doc.read_bytes(), "text/markdown")})
    assert r.status_code == 201, r.text
    review = r.json()
    text = review["text"]
    for expectation in case["expect"]:
        assert any(finding_matches(f, text, expectation) for f in review["findings"]), (case["file"], expectation)
    for absent in case.get("expect_absent", []):
        assert not [f for f in review["findings"] if finding_matches(f, text, absent)], (case["file"], absent)
    for f in review["findings"]:
        for span in f["evidence"]:
            assert text[span["start"]:span["end"]] == span["text"]


def test_json_review_is_stored_and_readable_in_the_same_organisation_only(client, tokens, shared_dir):
    text = (shared_dir / "cases" / "base-nda.md").read_text()
    r = client.post("/v1/reviews", headers=auth(tokens["contract_manager"]),
                    json={"text": text, "contract_type": "nda", "name": "base-nda.md"})
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["playbook"]["id"] == "nda" and review["document"]["sha256"] and review["text"]
    assert type(review["risk_score"]) is int, "an integer, as in the CLI's review JSON"
    got = client.get(f"/v1/reviews/{review['review_id']}", headers=auth(tokens["finance"]))
    assert got.status_code == 200 and got.json()["review_id"] == review["review_id"]
    assert got.json()["risk_score"] == review["risk_score"] and type(got.json()["risk_score"]) is int
    assert_error(client.get(f"/v1/reviews/{review['review_id']}", headers=auth(tokens["other_org"])), 404, "not_found")
    assert_error(client.get("/v1/reviews/rv_does_not_exist", headers=auth(tokens["legal"])), 404, "not_found")


def test_docx_upload_is_reviewed(client, tokens, shared_dir):
    doc = Document()
    for para in (shared_dir / "cases" / "proc-no-cap.md").read_text().split("\n\n"):
        doc.add_paragraph(para.strip("# \n"))
    buf = io.BytesIO()
    doc.save(buf)
    r = client.post("/v1/reviews", headers=auth(tokens["legal"]), data={"contract_type": "procurement"},
                    files={"file": ("supply.docx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 201, r.text
    assert r.json()["document"]["format"] == "docx"


def test_approval_check_names_the_approvers_and_blocks(client, tokens, shared_dir):
    text = (shared_dir / "cases" / "proc-no-cap.md").read_text()
    r = client.post("/v1/approval-checks", headers=auth(tokens["requester"]),
                    json={"text": text, "contract_type": "procurement", "name": "po.md",
                          "external_reference": "ariba:CW-1"})
    assert r.status_code == 200, r.text
    check = r.json()
    assert check["may_approve"] is False and check["decision"] in ("escalate", "reject")
    assert check["blocking_findings"] and check["required_approvers"]
    assert check["external_reference"] == "ariba:CW-1" and type(check["risk_score"]) is int
    assert client.get(f"/v1/reviews/{check['review_id']}", headers=auth(tokens["legal"])).status_code == 200


def test_clean_contract_may_be_approved(client, tokens, shared_dir):
    text = (shared_dir / "cases" / "base-procurement.md").read_text()
    r = client.post("/v1/approval-checks", headers=auth(tokens["legal"]),
                    json={"text": text, "contract_type": "procurement", "name": "base.md"})
    assert r.status_code == 200, r.text
    check = r.json()
    assert check["may_approve"] == (check["decision"] == "approve" and not check["blocking_findings"])


def test_review_errors_have_one_shape(client, tokens):
    h = auth(tokens["legal"])
    assert_error(client.post("/v1/reviews", headers=h, json={"contract_type": "nda"}), 422, "invalid_input")
    assert_error(client.post("/v1/reviews", headers=h, json={"text": "x", "contract_type": "NOPE!"}), 422, "invalid_input")
    assert_error(client.post("/v1/reviews", headers=h, json={"text": "1. Term. Two years.", "contract_type": "lease"}),
           422, "unknown_contract_type")
    assert_error(client.post("/v1/reviews", headers=h, json={"text": "   \n", "contract_type": "nda"}), 422)
    assert_error(client.post("/v1/reviews", headers=h, json={"text": "1. A.", "contract_type": "nda", "playbook": "nope"}),
           422, "unknown_playbook")
    assert_error(client.post("/v1/reviews", headers={**h, "content-type": "text/plain"}, content=b"x"),
           415, "unsupported_media_type")
    assert_error(client.post("/v1/reviews", headers=h, data={"contract_type": "nda"},
                       files={"file": ("x.exe", b"MZ...", "application/octet-stream")}), 415, "unsupported_format")
    assert_error(client.post("/v1/reviews", headers=h, data={"contract_type": "nda"},
                       files={"file": ("scan.pdf", b"%PDF-1.4 garbage", "application/pdf")}), 422)
    assert_error(client.post("/v1/reviews", headers=h, data={"contract_type": "nda"},
                       files={"other": ("a.md", b"1. A.", "text/markdown")}), 422, "invalid_input")
    assert_error(client.post("/v1/reviews", headers=h, files={"file": ("a.md", b"1. A.", "text/markdown")}),
           422, "invalid_input")
    assert_error(client.post("/v1/approval-checks", headers=h, data={"contract_type": "nda"}), 415)


def test_upload_over_the_limit_is_413(client, tokens):
    big = b"1. Confidentiality. " + b"a" * 2_100_000
    assert_error(client.post("/v1/reviews", headers=auth(tokens["legal"]), data={"contract_type": "nda"},
                       files={"file": ("big.txt", big, "text/plain")}), 413, "payload_too_large")
    assert_error(client.post("/v1/reviews", headers=auth(tokens["legal"]),
                       json={"text": "a" * 2_100_000, "contract_type": "nda"}), 413, "payload_too_large")


def test_unauthenticated_and_refused_callers(client, tokens):
    assert_error(client.post("/v1/reviews", json={"text": "1. A.", "contract_type": "nda"}), 401, "unauthenticated")
    assert_error(client.post("/v1/reviews", headers=auth("rcp_forged"), json={"text": "1. A.", "contract_type": "nda"}),
           401, "unauthenticated")
    for role in ("vendor", "admin"):
        assert_error(client.post("/v1/reviews", headers=auth(tokens[role]), json={"text": "1. A.", "contract_type": "nda"}),
               403, "permission_denied")


@pytest.mark.parametrize("text", ["", "   \n", "\t"])
def test_empty_text_is_empty_document_without_an_invented_file_name(client, tokens, text):
    h = auth(tokens["legal"])
    for route in ("/v1/reviews", "/v1/approval-checks"):
        error = assert_error(client.post(route, headers=h, json={"text": text, "contract_type": "nda"}),
                             422, "empty_document")
        assert error["message"] == "The text contains nothing to review.", error
        assert "input.md" not in str(error)
    named = assert_error(client.post("/v1/reviews", headers=h, json={"text": text, "contract_type": "nda",
                                                                    "name": "acme.md"}), 422, "empty_document")
    assert "acme.md" in named["message"]


def test_text_that_ingests_to_nothing_names_no_file(client, tokens):
    error = assert_error(client.post("/v1/reviews", headers=auth(tokens["legal"]),
                                     json={"text": "<!-- only a comment -->\n", "contract_type": "nda"}), 422)
    assert "input.md" not in error["message"], error


def test_a_very_long_path_id_is_not_echoed_in_full(client, tokens):
    long_id = "rv_" + "x" * 5000
    error = assert_error(client.get(f"/v1/reviews/{long_id}", headers=auth(tokens["legal"])), 404, "not_found")
    assert long_id not in error["message"] and len(error["message"]) < 200, error["message"]
    assert ("rv_" + "x" * 77 + "…") in error["message"]
    for route in ("/v1/templates/", "/v1/playbooks/", "/v1/scans/", "/v1/saved-searches/"):  # every path id echoed
        r = client.get(route + long_id + ("/results" if "saved" in route else ""), headers=auth(tokens["legal"]))
        assert r.status_code in (404, 422) and long_id not in r.text and len(r.text) < 1000, (route, r.text[:300])
    short = assert_error(client.get("/v1/reviews/rv_missing", headers=auth(tokens["legal"])), 404, "not_found")
    assert "rv_missing" in short["message"]


def test_contract_type_is_read_in_any_case_as_on_the_command_line(client, tokens, shared_dir):
    h = auth(tokens["legal"])
    doc = shared_dir / "cases" / "base-nda.md"
    r = client.post("/v1/reviews", headers=h, json={"text": doc.read_text(), "contract_type": " NDA ", "name": doc.name})
    assert r.status_code == 201, r.text
    assert r.json()["contract_type"] == "nda"
    r = client.post("/v1/reviews", headers=h, data={"contract_type": "Nda"},
                    files={"file": (doc.name, doc.read_bytes(), "text/markdown")})
    assert r.status_code == 201, r.text
    assert r.json()["contract_type"] == "nda"
