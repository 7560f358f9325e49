"""Ingest: formats, encodings, structure blocks and every error code.

Binary fixtures (DOCX, PDF, zip bombs) are generated into tmp_path at test time.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from risk_copilot.errors import IngestError
from risk_copilot.ingest import SUPPORTED_FORMATS, ingest_bytes, ingest_path, ingest_text
from risk_copilot.ingest import docx_reader
from tests.document_builders import encrypt_pdf, make_pdf

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


# ---------------------------------------------------------------- fixtures


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Supply Agreement", level=1)
    d.add_paragraph("This agreement is made between Buyer and Supplier.")
    d.add_heading("Termination", level=2)
    d.add_paragraph("Either party may terminate on thirty days notice.", style="List Number")
    d.add_paragraph("Customer may terminate for convenience.", style="List Number")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Item"
    table.cell(0, 1).text = "Price"
    table.cell(1, 0).text = "Pipette tips"
    table.cell(1, 1).text = "USD 6.40"
    d.add_paragraph("The table above is the price list.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def rewrite_zip(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return buf.getvalue()


def code_of(excinfo: pytest.ExceptionInfo[IngestError]) -> str:
    return excinfo.value.code


# ---------------------------------------------------------------- text


def test_supported_formats() -> None:
    assert set(SUPPORTED_FORMATS) == {"txt", "md", "docx", "pdf"}


@pytest.mark.parametrize(
    "raw",
    [
        "Price: café “net” 30\r\nLine two\r\n".encode("utf-8"),
        b"\xef\xbb\xbf" + "Price: café “net” 30\r\nLine two\r\n".encode("utf-8"),
        "Price: café “net” 30\r\nLine two\r\n".encode("utf-16"),  # with BOM
        "Price: café “net” 30\r\nLine two\r\n".encode("cp1252"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "cp1252"],
)
def test_text_encodings_and_newlines(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "contract.txt"
    path.write_bytes(raw)
    doc = ingest_path(path)
    assert doc.text == "Price: café “net” 30\nLine two\n"
    assert doc.format == "txt"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.name == "contract.txt"


def test_mixed_encoding_keeps_the_utf8_text_and_reads_stray_bytes_as_cp1252() -> None:
    # a UTF-8 file with one Latin-1 line pasted in: only that line's bytes are single-byte
    raw = ("Granite Peak Software Inc. — Zürich\n".encode("utf-8") + "Lieferant: Müller & Söhne, 5 €\n".encode("cp1252")
           + "Prix: 30 € net — café\n".encode("utf-8"))
    doc = ingest_bytes(raw, "mixed.txt")
    assert doc.text == "Granite Peak Software Inc. — Zürich\nLieferant: Müller & Söhne, 5 €\nPrix: 30 € net — café\n"


def test_cp1252_undefined_bytes_are_read_as_latin1_controls_and_dropped() -> None:
    assert ingest_bytes(b"Fee: 5 \x80 \x81net", "a.txt").text == "Fee: 5 € net"


def test_text_strips_nul_and_control_characters() -> None:
    doc = ingest_bytes(b"Net\x00 30\x07 days\tonly.\x0bNext\x1b", "a.txt")
    assert doc.text == "Net 30 days\tonly.\nNext"


def test_text_paragraph_blocks_index_text() -> None:
    doc = ingest_text("First para\nstill first.\n\n\n  Second para.\n\n• a bullet\n")
    spans = [(b.kind, doc.text[b.start:b.end]) for b in doc.blocks]
    assert spans == [
        ("paragraph", "First para\nstill first."),
        ("paragraph", "Second para."),
        ("list_item", "• a bullet"),
    ]


def test_binary_junk_named_txt_is_rejected() -> None:
    junk = bytes(range(256)) * 40
    with pytest.raises(IngestError) as exc:
        ingest_bytes(junk, "junk.txt")
    assert code_of(exc) in ("unsupported_format", "undecodable_text")
    assert "junk.txt" in exc.value.message


def test_invalid_utf16_is_undecodable() -> None:
    with pytest.raises(IngestError) as exc:
        ingest_bytes(b"\xff\xfeA\x00\x00\xd8", "bad.txt")  # BOM then a lone surrogate
    assert code_of(exc) == "undecodable_text"


# ---------------------------------------------------------------- markdown


MD = """# Supply Agreement

This **Supply Agreement** is between *Buyer* and __Seller__, see [the site](http://x.y).

**1. Scope.**

Supplier will sell the Products.

1. **Project.** The parties intend to discuss a project.
2. **Term.** Two years.

- a bullet item

## Schedule 1

| SKU | Price |
|---|---:|
| A-1 | 6.40 |

Signature: ________________
"""


def test_markdown_plain_text_and_blocks() -> None:
    doc = ingest_text(MD, "c.md", format="md")
    text = doc.text
    assert "**" not in text and "__Seller" not in text and "#" not in text and "](" not in text
    assert "This Supply Agreement is between Buyer and Seller, see the site." in text
    assert "1. Scope." in text
    assert "1. Project. The parties intend to discuss a project." in text
    assert "SKU | Price\nA-1 | 6.40" in text
    assert "---" not in text
    assert "Signature: ________________" in text  # underscores are not emphasis
    kinds = [(b.kind, text[b.start:b.end], b.level, b.number) for b in doc.blocks]
    assert ("heading", "Supply Agreement", 1, None) in kinds
    assert ("heading", "1. Scope.", 0, "1") in kinds
    assert ("list_item", "1. Project. The parties intend to discuss a project.", 0, "1") in kinds
    assert ("list_item", "a bullet item", 0, None) in kinds
    assert ("heading", "Schedule 1", 2, None) in kinds
    assert [k[1] for k in kinds if k[0] == "table_row"] == ["SKU | Price", "A-1 | 6.40"]


def test_markdown_from_bytes_detected_by_extension() -> None:
    doc = ingest_bytes(MD.encode(), "contract.md")
    assert doc.format == "md"
    assert doc.sha256 == hashlib.sha256(MD.encode()).hexdigest()


# ---------------------------------------------------------------- docx


def test_docx_body_order_tables_headings_and_lists(tmp_path: Path) -> None:
    path = tmp_path / "supply.docx"
    path.write_bytes(make_docx())
    doc = ingest_path(path)
    assert doc.format == "docx"
    text = doc.text
    order = [
        "Supply Agreement",
        "This agreement is made between Buyer and Supplier.",
        "Termination",
        "Either party may terminate on thirty days notice.",
        "Customer may terminate for convenience.",
        "Item | Price",
        "Pipette tips | USD 6.40",
        "The table above is the price list.",
    ]
    positions = [text.index(s) for s in order]
    assert positions == sorted(positions)
    blocks = {text[b.start:b.end]: b for b in doc.blocks}
    assert blocks["Supply Agreement"].kind == "heading" and blocks["Supply Agreement"].level == 1
    assert blocks["Termination"].kind == "heading" and blocks["Termination"].level == 2
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert len(items) == 2 and all(b.level == 0 for b in items)
    # Word numbering is rendered into the text ("1. ", "2. ").
    assert [text[b.start:b.end][:3] for b in items] == ["1. ", "2. "]
    assert [b.number for b in items] == ["1", "2"]
    assert [text[b.start:b.end] for b in doc.blocks if b.kind == "table_row"] == ["Item | Price", "Pipette tips | USD 6.40"]


def test_docx_extension_not_required_magic_wins() -> None:
    doc = ingest_bytes(make_docx(), "upload.bin")
    assert doc.format == "docx"


def test_corrupt_docx() -> None:
    data = make_docx()
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data[: len(data) // 2], "broken.docx")
    assert code_of(exc) == "corrupt_file"
    assert "broken.docx" in exc.value.message
    with pytest.raises(IngestError) as exc:
        ingest_bytes(b"this is not a zip at all", "fake.docx")
    assert code_of(exc) == "corrupt_file"


def test_docx_with_entity_declarations_is_refused() -> None:
    data = make_docx()
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(IngestError) as exc:
        ingest_bytes(rewrite_zip(data, {"word/document.xml": xxe}), "xxe.docx")
    assert code_of(exc) == "corrupt_file"


def test_docx_zip_bomb_ratio_is_refused() -> None:
    bomb = rewrite_zip(make_docx(), {}, extra={"word/media/zeros.bin": b"\x00" * 20_000_000})
    assert len(bomb) < 1_000_000
    with pytest.raises(IngestError) as exc:
        ingest_bytes(bomb, "bomb.docx")
    assert code_of(exc) == "corrupt_file"


def test_docx_uncompressed_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(docx_reader, "MAX_UNCOMPRESSED_BYTES", 10_000)
    with pytest.raises(IngestError) as exc:
        ingest_bytes(make_docx(), "big.docx")
    assert code_of(exc) == "file_too_large"


def test_zip_that_is_not_docx_is_unsupported() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(IngestError) as exc:
        ingest_bytes(buf.getvalue(), "archive.zip")
    assert code_of(exc) == "unsupported_format"


# ---------------------------------------------------------------- pdf


def test_pdf_text_pages(tmp_path: Path) -> None:
    data = make_pdf(["1. Term.   This   Agreement lasts two years.", "2. Fees. Customer pays net 30."])
    path = tmp_path / "c.pdf"
    path.write_bytes(data)
    doc = ingest_path(path)
    assert doc.format == "pdf"
    assert doc.pages == 2
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.text == "1. Term. This Agreement lasts two years.\n\n2. Fees. Customer pays net 30."
    assert [doc.text[b.start:b.end] for b in doc.blocks] == [
        "1. Term. This Agreement lasts two years.",
        "2. Fees. Customer pays net 30.",
    ]


def test_pdf_scanned_has_no_text_layer() -> None:
    with pytest.raises(IngestError) as exc:
        ingest_bytes(make_pdf([None, None]), "scan.pdf")
    assert code_of(exc) == "scanned_pdf"
    assert "scan.pdf" in exc.value.message


def test_pdf_encrypted_with_password() -> None:
    data = encrypt_pdf(make_pdf(["Secret terms apply here."]), user_password="s3cret")
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, "locked.pdf")
    assert code_of(exc) == "encrypted_file"
    assert "locked.pdf" in exc.value.message


def test_pdf_encrypted_with_empty_user_password_is_read() -> None:
    data = encrypt_pdf(make_pdf(["Open terms apply here."]), user_password="")
    doc = ingest_bytes(data, "restricted.pdf")
    assert doc.text == "Open terms apply here."


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", b"not a pdf at all, just words"],
    ids=["truncated", "no-header"],
)
def test_pdf_corrupt(data: bytes) -> None:
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, "bad.pdf")
    assert code_of(exc) == "corrupt_file"


# ---------------------------------------------------------------- generic errors


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as exc:
        ingest_path(tmp_path / "nope.docx")
    assert code_of(exc) == "file_not_found"
    assert "nope.docx" in exc.value.message


@pytest.mark.parametrize("fmt, data", [("txt", b"  \n\t\n"), ("md", b"\n\n---\n\n"), ("txt", b"")])
def test_empty_documents(fmt: str, data: bytes) -> None:
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, f"empty.{fmt}")
    assert code_of(exc) == "empty_document"
    assert f"empty.{fmt}" in exc.value.message


def test_empty_docx() -> None:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    with pytest.raises(IngestError) as exc:
        ingest_bytes(buf.getvalue(), "blank.docx")
    assert code_of(exc) == "empty_document"


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2000)
    with pytest.raises(IngestError) as exc:
        ingest_path(path, max_bytes=1000)
    assert code_of(exc) == "file_too_large"
    with pytest.raises(IngestError) as exc:
        ingest_bytes(b"a" * 2000, "big.txt", max_bytes=1000)
    assert code_of(exc) == "file_too_large"
    assert "big.txt" in exc.value.message


@pytest.mark.parametrize(
    "name, data",
    [
        ("contract.xyz", b"Plain words in an unknown container."),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("scan.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    ],
)
def test_unsupported_formats(name: str, data: bytes) -> None:
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, name)
    assert code_of(exc) == "unsupported_format"
    assert name in exc.value.message


def test_declared_format_overrides_extension() -> None:
    doc = ingest_bytes(b"# Title\n\nBody **bold**.", "upload.bin", format="markdown")
    assert doc.format == "md" and doc.text == "Title\n\nBody bold."
    with pytest.raises(IngestError) as exc:
        ingest_bytes(b"x", "a.txt", format="rtf")
    assert code_of(exc) == "unsupported_format"


def test_pdf_named_txt_is_read_as_pdf() -> None:
    doc = ingest_bytes(make_pdf(["Hello contract."]), "mislabelled.txt")
    assert doc.format == "pdf" and doc.text == "Hello contract."


# ---------------------------------------------------------------- real inputs


@pytest.mark.skipif(not (SHARED / "corpora" / "common-paper" / "docx").is_dir(), reason="../shared corpora absent")
def test_all_common_paper_docx_ingest() -> None:
    files = sorted((SHARED / "corpora" / "common-paper" / "docx").glob("*/template.docx"))
    assert len(files) == 23
    for f in files:
        doc = ingest_path(f)
        assert doc.format == "docx" and len(doc.text) > 500, f
        for b in doc.blocks:
            span = doc.text[b.start:b.end]
            assert span and span == span.strip(), (f, b)


@pytest.mark.skipif(not (SHARED / "cases").is_dir(), reason="../shared cases absent")
def test_case_markdown_keeps_section_numbers() -> None:
    doc = ingest_path(SHARED / "cases" / "base-nda.md")
    assert "9. Duration. This Agreement starts on the Effective Date" in doc.text
    doc = ingest_path(SHARED / "cases" / "base-procurement.md")
    assert "\n14. Termination.\n" in doc.text
    assert "(a) Customer may terminate this Agreement at any time without cause" in doc.text


def test_password_protected_docx_is_encrypted_not_corrupt() -> None:
    # Word's password protection wraps the document in an OLE compound file with an
    # "EncryptedPackage" stream (MS-OFFCRYPTO); a bare OLE file is a legacy .doc.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    protected = ole + "EncryptedPackage".encode("utf-16-le") + bytes(1024)
    with pytest.raises(IngestError) as exc:
        ingest_bytes(protected, "protected.docx")
    assert code_of(exc) == "encrypted_file" and "password" in exc.value.message
    with pytest.raises(IngestError) as exc:
        ingest_bytes(ole + bytes(1024), "old.docx")
    assert code_of(exc) == "unsupported_format" and ".doc" in exc.value.message


def test_a_sentence_cut_by_a_pdf_page_break_stays_one_paragraph() -> None:
    data = make_pdf(["5. Payment. Customer may hold back a disputed amount by explaining the problem to",
                     "Supplier in writing before payment is due.",
                     "7. Term. This Agreement lasts two years. Page 3",
                     "8. Notices. Notices are in writing."])
    doc = ingest_bytes(data, "cut.pdf")
    assert [doc.text[b.start:b.end] for b in doc.blocks] == [
        "5. Payment. Customer may hold back a disputed amount by explaining the problem to\n"
        "Supplier in writing before payment is due.",
        # a page ending in a page number, or a page starting with a numbered item, is not run on
        "7. Term. This Agreement lasts two years. Page 3",
        "8. Notices. Notices are in writing.",
    ]
