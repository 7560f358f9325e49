"""Seed inputs per fuzz target, written into a corpus folder at run time."""

from __future__ import annotations

from pathlib import Path

from hardening.bad_inputs import (HTML_CLAUSES, RTL_MIXED, SAMPLE_CONTRACT, billion_laughs_docx, docx_bytes,
                                  document_xml, nested_lists_markdown, numbered_sections, text_pdf)

CLAUSES = [
    "The Supplier's total liability shall not exceed USD 1,000,000 (one million US dollars) in aggregate.",
    "Fees of €250.000,00 are payable within thirty (30) days of receipt of a valid invoice.",
    "Liability is capped at two times (2x) the fees paid in the twelve (12) months preceding the claim.",
    "This Agreement commences on 1 January 2026 and expires on December 31st, 2027 (the \"Term\").",
    "Either party may terminate on ninety (90) days' prior written notice; notice must be given 60 days before renewal.",
    "Late payments bear interest at 1.5% per month or the maximum rate permitted by law, if lower.",
    "This Agreement is governed by the laws of the State of New York and the courts of England and Wales.",
    "The Receiving Party shall not disclose Confidential Information and may not use it except as permitted.",
    "This Agreement is between Acme Corp., a Delaware corporation (\"Customer\"), and Beta Ltd (the \"Supplier\").",
    "Prices may increase by no more than 3 per cent per annum, i.e. GBP 5k or £5,000.50, whichever is less.",
    "Section 4.2(a)(iii) survives for five (5) years; 2.5 million dollars; $ 10 MM; one hundred and twenty-five.",
]

_NUMBERING = (b'<?xml version="1.0"?><w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
              b'2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
              b'<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
              b'<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')


def _numbered_xml() -> bytes:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    paras = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:numPr><w:ilvl w:val="{i % 3}"/><w:numId w:val="1"/></w:numPr>'
        f'</w:pPr><w:r><w:t>{c}</w:t></w:r><w:r><w:tab/><w:br/></w:r></w:p>' for i, c in enumerate(CLAUSES[:4]))
    table = "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Item</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>USD 5</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
    return f'<?xml version="1.0"?><w:document xmlns:w="{w}"><w:body>{paras}{table}</w:body></w:document>'.encode()


def seeds_for(target: str) -> list[bytes]:
    text = [SAMPLE_CONTRACT.encode(), HTML_CLAUSES.encode(), RTL_MIXED.encode(), SAMPLE_CONTRACT.encode("utf-16"),
            SAMPLE_CONTRACT.encode("latin-1", "replace"), nested_lists_markdown(8).encode(),
            numbered_sections(30).encode()]
    if target in ("ingest_txt", "ingest_md", "segment"):
        return text + [c.encode() for c in CLAUSES] + [("# " + SAMPLE_CONTRACT).encode()]
    if target == "ingest_pdf":
        return [text_pdf(SAMPLE_CONTRACT), text_pdf("\n".join(CLAUSES), lines_per_page=5)]
    if target == "ingest_docx":
        from hardening.fuzz.targets import docx_with_document_xml

        return [docx_bytes(document_xml(SAMPLE_CONTRACT.split("\n")).encode()),
                docx_with_document_xml(_numbered_xml(), _NUMBERING), billion_laughs_docx()]
    if target == "ingest_docx_xml":
        return [document_xml(SAMPLE_CONTRACT.split("\n")).encode(), _numbered_xml()]
    return [c.encode() for c in CLAUSES] + [SAMPLE_CONTRACT.encode()]


def write_seeds(target: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for k, data in enumerate(seeds_for(target)):
        (folder / f"seed-{k:02d}").write_bytes(data)
    return folder
