"""Segmentation: sections, headings, sentences, exact offsets, speed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from risk_copilot.document import IngestedDocument
from risk_copilot.ingest import ingest_path, ingest_text
from risk_copilot.segment import Clause, segment_document
from risk_copilot.sentences import sentence_spans

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CASES = SHARED / "cases"
CUAD = SHARED / "corpora" / "cuad" / "full_contract_txt"
needs_cases = pytest.mark.skipif(not CASES.is_dir(), reason="../shared/cases absent")
needs_cuad = pytest.mark.skipif(not CUAD.is_dir(), reason="../shared/corpora/cuad absent")


def assert_offsets(doc: IngestedDocument, clauses: list[Clause]) -> None:
    assert [c.id for c in clauses] == [f"c{i}" for i in range(1, len(clauses) + 1)]
    previous_end = 0
    for c in clauses:
        assert doc.text[c.start:c.end] == c.text, c
        assert c.text == c.text.strip() and c.text, c
        assert c.start >= previous_end, c  # document order, no overlap
        previous_end = c.end


def find(clauses: list[Clause], needle: str) -> Clause:
    hits = [c for c in clauses if needle in c.text]
    assert hits, needle
    return hits[0]


# ---------------------------------------------------------------- synthetic


CONTRACT = """MASTER SERVICES AGREEMENT

ARTICLE IV
TERM AND TERMINATION

Section 4.1 Term. This Agreement starts on the Effective Date and continues for three (3) years.

Section 4.2 Termination for Cause. Either party may terminate this Agreement:

(a) if the other party materially breaches it; or

(b) if the other party becomes insolvent, including where:

(i) it files for bankruptcy under the U.S. Bankruptcy Code; or

(ii) a receiver is appointed.

14. Confidentiality.

The Recipient shall protect Confidential Information, e.g. trade secrets, with reasonable care. Acme Inc. may disclose it under Sec. 5 of the Order No. 12 to its advisers.

14.1 Exceptions. Information that is public is excluded.

GOVERNING LAW

This Agreement is governed by the laws of the State of New York.

Signature: ____________________ Name: ____________________

________________________________
"""


@pytest.fixture(scope="module")
def synthetic() -> tuple[IngestedDocument, list[Clause]]:
    doc = ingest_text(CONTRACT, "msa.txt")
    return doc, segment_document(doc)


def test_offsets_exact(synthetic: tuple[IngestedDocument, list[Clause]]) -> None:
    assert_offsets(*synthetic)


def test_article_and_section_keywords(synthetic: tuple[IngestedDocument, list[Clause]]) -> None:
    _, clauses = synthetic
    c = find(clauses, "continues for three (3) years")
    assert (c.section, c.heading) == ("4.1", "Term")
    assert c.text == "This Agreement starts on the Effective Date and continues for three (3) years."
    c = find(clauses, "Either party may terminate this Agreement")
    assert (c.section, c.heading) == ("4.2", "Termination for Cause")


def test_nested_subclauses(synthetic: tuple[IngestedDocument, list[Clause]]) -> None:
    _, clauses = synthetic
    assert find(clauses, "materially breaches").section == "4.2(a)"
    assert find(clauses, "becomes insolvent").section == "4.2(b)"
    c = find(clauses, "files for bankruptcy")
    assert c.section == "4.2(b)(i)"
    assert c.heading == "Termination for Cause"
    assert "U.S. Bankruptcy Code" in c.text  # "U.S." does not split the sentence
    assert find(clauses, "receiver is appointed").section == "4.2(b)(ii)"


def test_heading_only_lines_are_not_clauses(synthetic: tuple[IngestedDocument, list[Clause]]) -> None:
    _, clauses = synthetic
    texts = [c.text for c in clauses]
    for heading in ("MASTER SERVICES AGREEMENT", "ARTICLE IV", "TERM AND TERMINATION", "14. Confidentiality.", "GOVERNING LAW"):
        assert not any(t.strip(". ") == heading.strip(". ") for t in texts), heading


def test_abbreviations_do_not_split(synthetic: tuple[IngestedDocument, list[Clause]]) -> None:
    _, clauses = synthetic
    c = find(clauses, "e.g. trade secrets")
    assert c.text == "The Recipient shall protect Confidential Information, e.g. trade secrets, with reasonable care."
    assert (c.section, c.heading) == ("14", "Confidentiality")
    c = find(clauses, "Acme Inc. may disclose")
    assert c.text == "Acme Inc. may disclose it under Sec. 5 of the Order No. 12 to its advisers."


def test_subsection_and_all_caps_heading(synthetic: tuple[IngestedDocument, list[Clause]]) -> None:
    _, clauses = synthetic
    c = find(clauses, "Information that is public is excluded.")
    assert (c.section, c.heading) == ("14.1", "Exceptions")
    c = find(clauses, "laws of the State of New York")
    assert (c.section, c.heading) == (None, "GOVERNING LAW")


def test_signature_and_underscore_lines_skipped(synthetic: tuple[IngestedDocument, list[Clause]]) -> None:
    _, clauses = synthetic
    assert not any("____" in c.text for c in clauses)


def test_sentence_spans_legal_abbreviations() -> None:
    text = "See Sec. 4 of the U.S. Code, i.e. the statute. Payment is due. Acme Corp. pays No. 7 first."
    spans = sentence_spans([text])[0]
    assert [text[a:b] for a, b in spans] == [
        "See Sec. 4 of the U.S. Code, i.e. the statute.",
        "Payment is due.",
        "Acme Corp. pays No. 7 first.",
    ]


def test_tiny_sentences_merge_and_long_sentences_split() -> None:
    long_items = "; ".join(f"item number {i} must be delivered to the warehouse on time" for i in range(30))
    text = f"1. Delivery. Notices count. Supplier shall deliver: {long_items}."
    doc = ingest_text(text)
    clauses = segment_document(doc, max_clause_chars=200)
    assert_offsets(doc, clauses)
    assert clauses[0].text.startswith("Notices count. Supplier shall deliver:")  # tiny sentence merged
    assert len(clauses) > 5
    assert all(len(c.text) <= 200 for c in clauses)
    assert all(c.section == "1" and c.heading == "Delivery" for c in clauses)


def test_alternative_labels_and_half_parens() -> None:
    text = (
        "SECTION 7.2 Payment Terms\n\n"
        "a) Customer pays each invoice within thirty days of receipt.\n\n"
        "b) Late amounts bear interest at one percent per month.\n\n"
        "Article 3 - Warranties\n\n"
        "Supplier warrants that the goods conform to the specifications.\n"
    )
    doc = ingest_text(text)
    clauses = segment_document(doc)
    assert_offsets(doc, clauses)
    assert [(c.section, c.heading) for c in clauses] == [
        ("7.2(a)", "Payment Terms"),
        ("7.2(b)", "Payment Terms"),
        ("3", "Warranties"),
    ]


def test_letter_i_after_h_is_a_letter() -> None:
    items = "\n\n".join(f"({ch}) Item {ch} is a listed obligation of the supplier." for ch in "abcdefghij")
    doc = ingest_text("5. Obligations.\n\n" + items)
    sections = [c.section for c in segment_document(doc)]
    assert sections == [f"5({ch})" for ch in "abcdefghij"]


def test_markdown_headings_and_tables() -> None:
    md = (
        "# Order Form\n\n## Fees\n\nCustomer pays the fees below within thirty days.\n\n"
        "| Item | Price |\n|---|---|\n| Support | USD 100 |\n"
    )
    doc = ingest_text(md, "o.md", format="md")
    clauses = segment_document(doc)
    assert_offsets(doc, clauses)
    assert [(c.text, c.heading) for c in clauses] == [
        ("Customer pays the fees below within thirty days.", "Fees"),
        ("Item | Price", "Fees"),
        ("Support | USD 100", "Fees"),
    ]


def test_document_without_blocks_is_segmented() -> None:
    text = "1. Term. The term is one year.\n\n2. Law. New York law governs this Agreement."
    doc = IngestedDocument(name="x.txt", format="txt", sha256="0" * 64, text=text)
    clauses = segment_document(doc)
    assert_offsets(doc, clauses)
    assert [(c.section, c.heading, c.text) for c in clauses] == [
        ("1", "Term", "The term is one year."),
        ("2", "Law", "New York law governs this Agreement."),
    ]


def test_docx_numbering_drives_sections(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Termination", style="List Number")
    d.add_paragraph("Either party may terminate this Agreement on ninety days notice.")
    path = tmp_path / "n.docx"
    d.save(path)
    doc = ingest_path(path)
    clauses = segment_document(doc)
    assert_offsets(doc, clauses)
    assert [(c.section, c.heading) for c in clauses] == [("1", "Termination")]


# ---------------------------------------------------------------- real inputs


@needs_cases
def test_base_procurement_termination_for_convenience() -> None:
    doc = ingest_path(CASES / "base-procurement.md")
    clauses = segment_document(doc)
    assert_offsets(doc, clauses)
    c = find(clauses, "Customer may terminate this Agreement at any time without cause")
    assert c.text == (
        "Customer may terminate this Agreement at any time without cause by giving Supplier "
        "forty-five (45) days' written notice."
    )
    assert (c.section, c.heading) == ("14(a)", "Termination")
    assert find(clauses, "material breach").section == "14(b)"
    assert (find(clauses, "within thirty (30) days after receiving it").section, find(clauses, "within thirty (30) days after receiving it").heading) == ("5", "Invoices and Payment")
    assert not any("Signature:" in c.text for c in clauses)
    assert find(clauses, "MLS-CAL01").heading == "Schedule 1 - Price List"


@needs_cases
def test_base_nda_duration() -> None:
    doc = ingest_path(CASES / "base-nda.md")
    clauses = segment_document(doc)
    assert_offsets(doc, clauses)
    c = find(clauses, "continue for two (2) years after it expires")
    assert (c.section, c.heading) == ("9", "Duration")
    assert c.text.startswith("The Recipient's duties under this Agreement continue")
    c = find(clauses, "Confidential Information\" means")
    assert (c.section, c.heading) == ("2", "What Is Confidential")
    assert find(clauses, "no license or other rights").heading == "Ownership; No License"


@needs_cases
def test_all_cases_offsets() -> None:
    for path in sorted(p for p in CASES.glob("*.md") if p.name != "README.md"):
        doc = ingest_path(path)
        clauses = segment_document(doc)
        assert len(clauses) > 20, path
        assert_offsets(doc, clauses)
        numbered = [c for c in clauses if c.section]
        assert len(numbered) / len(clauses) > 0.8, path


@needs_cuad
def test_cuad_contracts_offsets_and_sections() -> None:
    files = sorted(CUAD.glob("*.txt"))[:6]
    for path in files:
        doc = ingest_path(path)
        clauses = segment_document(doc)
        assert clauses, path
        assert_offsets(doc, clauses)
    doc = ingest_path(CUAD / "ASPIRITYHOLDINGSLLC_05_07_2012-EX-10.6-OUTSOURCING AGREEMENT.txt")
    c = find(segment_document(doc), "On the basis of the representations, warranties and agreements herein")
    assert (c.section, c.heading) == ("2.01", "Retention")


@pytest.mark.skipif(not (SHARED / "corpora" / "common-paper" / "docx").is_dir(), reason="common-paper absent")
def test_common_paper_docx_sections() -> None:
    doc = ingest_path(SHARED / "corpora" / "common-paper" / "docx" / "common-paper-cloud-service-agreement" / "template.docx")
    clauses = segment_document(doc)
    assert_offsets(doc, clauses)
    c = find(clauses, "Customer is responsible for all actions on Users")
    assert (c.section, c.heading) == ("1.3", "User Accounts")
    c = find(clauses, "Except as expressly permitted by this Agreement, Customer will not")
    assert (c.section, c.heading) == ("2.1(a)", "Restrictions on Customer")


def test_performance_10k_words() -> None:
    paragraph = (
        "{n}. Obligations. The Supplier shall deliver the Products to the Customer in accordance with "
        "the Order, e.g. on the agreed date, and the Customer shall pay the invoice within thirty (30) "
        "days after receipt. (a) Any late payment bears interest at one percent (1%) per month; "
        "(b) disputed amounts may be withheld in good faith. The Supplier will comply with all U.S. "
        "laws that apply to its performance.\n\n"
    )
    text = "".join(paragraph.format(n=i) for i in range(1, 400))
    assert len(text.split()) > 10_000
    doc = ingest_text(text)
    segment_document(doc)  # warm: loads spaCy once
    t0 = time.perf_counter()
    clauses = segment_document(doc)
    elapsed = time.perf_counter() - t0
    assert_offsets(doc, clauses)
    assert elapsed < 0.5, f"segmenting 10k words took {elapsed:.3f}s"


def test_a_paragraph_over_a_million_characters_is_segmented():
    from risk_copilot.ingest import ingest_text
    from risk_copilot.segment import segment_document

    sentence = "The Supplier will deliver the goods on time and in good order. "
    text = "1. Delivery. " + sentence * 20_000  # 1.26 million characters, no line break
    doc = ingest_text(text, name="long.txt")
    clauses = segment_document(doc)
    assert len(clauses) > 1000
    assert all(doc.text[c.start:c.end] == c.text for c in clauses)
    assert clauses[-1].end >= len(doc.text.rstrip()) - 1
