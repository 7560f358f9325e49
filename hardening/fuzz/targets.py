"""Fuzz targets: one function per harness, taking the fuzzer's bytes.

A target returns normally when the code under test did the right thing: a result that
keeps its invariants, or a coded ``ReviewError`` (ingest refusing bad bytes is correct).
Anything else raises: an unexpected exception type, or ``InvariantBroken`` when a
result is wrong (offsets that do not index the text, a clause that is not the text at
its span). These functions are also what the regression tests in
``tests/hardening/test_fuzz_regressions.py`` call with each crashing input found.
"""

from __future__ import annotations

import io
import zipfile
from typing import Callable

from risk_copilot.errors import ReviewError


class InvariantBroken(AssertionError):
    """A result that breaks a documented invariant."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvariantBroken(message)


def text_of(data: bytes) -> str:
    """The fuzzer's bytes as text for the extractors (invalid UTF-8 replaced)."""
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- ingest


def _ingest(data: bytes, name: str, max_bytes: int = 2_000_000) -> None:
    from risk_copilot.ingest import ingest_bytes

    try:
        document = ingest_bytes(data, name, max_bytes=max_bytes)
    except ReviewError as exc:
        _check(bool(exc.code) and "\n" not in exc.message, f"badly formed error {exc.code!r}: {exc.message!r}")
        return
    text = document.text
    _check(bool(text.strip()), "an ingested document without text")
    _check("\x00" not in text, "NUL byte in the ingested text")
    last = 0
    for block in document.blocks:
        _check(0 <= block.start < block.end <= len(text), f"block {block} outside the text")
        _check(block.start >= last, f"blocks out of order at {block}")
        last = block.end


def ingest_txt(data: bytes) -> None:
    _ingest(data, "fuzz.txt")


def ingest_md(data: bytes) -> None:
    _ingest(data, "fuzz.md")


def ingest_pdf(data: bytes) -> None:
    _ingest(data, "fuzz.pdf")


def ingest_docx(data: bytes) -> None:
    """The raw bytes as a .docx (mostly exercises the zip guards)."""
    _ingest(data, "fuzz.docx")


_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                  b'2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                  b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                  b'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
         b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx_with_document_xml(xml: bytes, numbering: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("word/document.xml", xml)
        if numbering is not None:
            zf.writestr("word/numbering.xml", numbering)
    return buf.getvalue()


def ingest_docx_xml(data: bytes) -> None:
    """The bytes as ``word/document.xml`` inside a valid package (exercises the XML and
    numbering code rather than the zip layer)."""
    _ingest(docx_with_document_xml(data), "fuzz.docx")


# ---------------------------------------------------------------- segmentation


def segment(data: bytes) -> None:
    from risk_copilot.ingest import ingest_text
    from risk_copilot.segment import segment_document

    text = text_of(data)
    fmt = "md" if data[:1] == b"#" else "txt"
    try:
        document = ingest_text(text, f"fuzz.{fmt}", fmt)
    except ReviewError:
        return
    clauses = segment_document(document)
    ids = set()
    for clause in clauses:
        _check(0 <= clause.start < clause.end <= len(document.text), f"clause {clause.id} outside the text")
        _check(document.text[clause.start:clause.end] == clause.text, f"clause {clause.id} is not its span")
        _check(clause.text == clause.text.strip(), f"clause {clause.id} is not trimmed")
        _check(clause.id not in ids, f"duplicate clause id {clause.id}")
        ids.add(clause.id)


# ---------------------------------------------------------------- extractors


def _spans(items, text: str, what: str) -> None:
    for item in items:
        start, end = item.start, item.end
        _check(0 <= start <= end <= len(text), f"{what} {item} outside the text")
        _check(text[start:end] == item.text, f"{what} {item!r} is not the text at its span")


def extract_money(data: bytes) -> None:
    from risk_copilot.extract import find_money, parse_figure

    text = text_of(data)
    _spans(find_money(text), text, "money")
    parse_figure(text[:64])


def extract_durations(data: bytes) -> None:
    from risk_copilot.extract import find_durations, notice_periods

    text = text_of(data)
    durations = find_durations(text)
    _spans(durations, text, "duration")
    _spans(notice_periods(text, durations), text, "notice period")


def extract_dates(data: bytes) -> None:
    from risk_copilot.extract import find_dates

    text = text_of(data)
    _spans(find_dates(text), text, "date")


def extract_percentages(data: bytes) -> None:
    from risk_copilot.extract import find_percentages

    text = text_of(data)
    _spans(find_percentages(text), text, "percentage")


def extract_fee_multiples(data: bytes) -> None:
    from risk_copilot.extract import find_fee_multiples

    text = text_of(data)
    _spans(find_fee_multiples(text), text, "fee multiple")


def extract_number_words(data: bytes) -> None:
    from risk_copilot.extract import find_number_words, parse_number_words

    text = text_of(data)
    _spans(find_number_words(text), text, "number words")
    parse_number_words(text[:200])


def extract_jurisdictions(data: bytes) -> None:
    from risk_copilot.extract import find_jurisdictions, governing_law_jurisdictions

    text = text_of(data)
    found = find_jurisdictions(text)
    _spans(found, text, "jurisdiction")
    _spans(governing_law_jurisdictions(text, found), text, "governing law")


def extract_parties(data: bytes) -> None:
    from risk_copilot.extract import acting_parties, find_party_roles

    text = text_of(data)
    roles = find_party_roles(text)
    acting_parties(text[:2000], roles)


def extract_polarity(data: bytes) -> None:
    from risk_copilot.extract import modality, polarity

    text = text_of(data)
    for item in modality(text):
        _check(0 <= item.start <= item.end <= len(text), f"modality {item} outside the text")
    polarity(text)
    polarity(text, "liab")


def extract_clause_values(data: bytes) -> None:
    from risk_copilot.extract import extract_clause_values as extract_all, find_amount_inconsistencies, find_party_roles

    text = text_of(data)
    extract_all(text, find_party_roles(text))
    find_amount_inconsistencies(text)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "ingest_txt": ingest_txt,
    "ingest_md": ingest_md,
    "ingest_docx": ingest_docx,
    "ingest_docx_xml": ingest_docx_xml,
    "ingest_pdf": ingest_pdf,
    "segment": segment,
    "extract_money": extract_money,
    "extract_durations": extract_durations,
    "extract_dates": extract_dates,
    "extract_percentages": extract_percentages,
    "extract_fee_multiples": extract_fee_multiples,
    "extract_number_words": extract_number_words,
    "extract_jurisdictions": extract_jurisdictions,
    "extract_parties": extract_parties,
    "extract_polarity": extract_polarity,
    "extract_clause_values": extract_clause_values,
}
