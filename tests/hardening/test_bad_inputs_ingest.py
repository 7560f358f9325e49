"""The bad-input corpus at the ingest layer: every input is read or refused with its code,
and the DOCX guards found wanting by the corpus stay fixed (regression tests)."""

from __future__ import annotations

import resource
import time
import zlib

import pytest

from hardening import bad_inputs
from hardening.bad_inputs import REFUSED, REVIEWED, BadInput, generate
from risk_copilot.errors import IngestError
from risk_copilot.ingest import ingest_bytes, ingest_path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[BadInput]:
    return generate(tmp_path_factory.mktemp("bad-inputs"), large=False)


def test_corpus_covers_the_issue_list(corpus):
    names = {i.name for i in corpus}
    for needed in ("empty.txt", "whitespace.txt", "png-renamed.pdf", "truncated.pdf", "encrypted.pdf",
                   "image-only.pdf", "zip-bomb.docx", "xxe.docx", "utf16-bom.txt", "latin1.txt",
                   "mixed-encoding.txt", "rtl-mixed-scripts.txt", "nul-bytes.txt", "html-script.md",
                   "nested-lists-50.md"):
        assert needed in names
    assert all(i.path.exists() for i in corpus)
    assert sum(i.path.stat().st_size for i in corpus) < 10_000_000  # the quick corpus stays small


def test_every_input_is_read_or_refused_with_its_code(corpus):
    for item in corpus:
        try:
            document = ingest_path(item.path)
        except IngestError as exc:
            assert item.accepts_error(exc.code), (item.name, exc.code, exc.message)
            assert "\n" not in exc.message and "Traceback" not in exc.message
        else:
            assert item.expected != REFUSED, (item.name, "was read but must be refused")
            assert document.text.strip()
            for block in document.blocks:
                assert 0 <= block.start < block.end <= len(document.text)


def test_text_inputs_keep_their_words(corpus):
    by_name = {i.name: i for i in corpus}
    assert "Société Générale" in ingest_path(by_name["latin1.txt"].path).text
    mixed = ingest_path(by_name["mixed-encoding.txt"].path).text
    assert "Supplier" in mixed and "Zürich" in mixed
    assert ingest_path(by_name["utf16le-nobom.txt"].path).text.startswith("SUPPLY AGREEMENT")
    rtl = ingest_path(by_name["rtl-mixed-scripts.txt"].path).text
    assert "هذا العقد" in rtl and "供应商" in rtl
    nul = ingest_path(by_name["nul-bytes.txt"].path).text
    assert "\x00" not in nul and "Limitation of Liability" in nul
    assert "<script>alert('owned')</script>" in ingest_path(by_name["html-script.txt"].path).text
    assert all(i.expected == REVIEWED for i in corpus if i.name.endswith(("txt", "md")) and "script" in i.name)


def test_zip_bomb_lying_about_its_size_is_refused_without_inflating():
    # Regression: zipfile inflates a whole member in one call before truncating it to the
    # declared size, so this 2 GiB part declared as 40 KB took 13 s and 2 GB of memory.
    data = bad_inputs.zip_bomb_docx(lie_about_size=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, "bomb.docx")
    assert exc.value.code == "corrupt_file" and "inflates to more than" in exc.value.message
    assert time.perf_counter() - started < 2.0
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, grown_mb


def test_zip_member_with_a_true_crc_for_its_declared_prefix_is_refused():
    # The CRC check alone is not enough: declare 4 KB with the CRC of the first 4 KB.
    xml = bad_inputs.document_xml(["1. Term. One year."] + ["x" * 1000] * 200).encode()
    entry = bad_inputs._deflate_entry("word/document.xml", xml)
    entry.size, entry.crc = 4096, zlib.crc32(xml[:4096])
    data = bad_inputs.write_zip([bad_inputs._deflate_entry("[Content_Types].xml", bad_inputs._CONTENT_TYPES),
                                 bad_inputs._deflate_entry("_rels/.rels", bad_inputs._RELS), entry])
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, "prefix.docx")
    assert exc.value.code == "corrupt_file"


@pytest.mark.parametrize("data", [
    bad_inputs.xxe_docx(padding=10_000),  # regression: the DTD was looked for in the first 4 KB only
    bad_inputs.xxe_docx(encoding="utf-16"),  # regression: a byte search misses UTF-16 "<!DOCTYPE"
    bad_inputs.xxe_docx(),
    bad_inputs.billion_laughs_docx(),
], ids=["padded", "utf16", "plain", "billion-laughs"])
def test_docx_entity_declarations_are_refused_in_any_position_or_encoding(data):
    with pytest.raises(IngestError) as exc:
        ingest_bytes(data, "xxe.docx")
    assert exc.value.code == "corrupt_file" and "entity declarations" in exc.value.message


def test_docx_part_with_an_unchecked_encoding_or_a_huge_prolog_is_refused():
    ebcdic = bad_inputs.document_xml(["1. Term. One year."]).replace('encoding="UTF-8"', 'encoding="cp037"')
    with pytest.raises(IngestError):
        ingest_bytes(bad_inputs.docx_bytes(ebcdic.encode("cp037")), "ebcdic.docx")
    long_prolog = bad_inputs.document_xml(["1. Term."], prolog="<!--" + "x" * 70_000 + "-->")
    with pytest.raises(IngestError):
        ingest_bytes(bad_inputs.docx_bytes(long_prolog.encode()), "prolog.docx")


def test_a_plain_docx_written_by_the_corpus_zip_writer_is_read():
    xml = bad_inputs.document_xml(["1. Term. This Agreement lasts one year.", "2. Law. English law applies."])
    document = ingest_bytes(bad_inputs.docx_bytes(xml.encode()), "plain.docx")
    assert "English law applies." in document.text


def test_text_over_the_character_limit_is_refused_as_too_large():
    # Regression: a 5 MB one-line text was reviewed clause by clause for many minutes.
    from risk_copilot.ingest import DEFAULT_MAX_CHARACTERS, ingest_text

    sentence = "The Supplier shall deliver the goods and the Buyer shall pay the price. "
    text = sentence * (DEFAULT_MAX_CHARACTERS // len(sentence) + 1)
    for ingest in (lambda: ingest_bytes(text.encode(), "long.txt"), lambda: ingest_text(text, "long.md", "md")):
        with pytest.raises(IngestError) as exc:
            ingest()
        assert exc.value.code == "file_too_large"
        assert exc.value.details["characters"] == len(text)
    xml = bad_inputs.document_xml(["1. Term. This Agreement lasts one year."] * 10)
    with pytest.raises(IngestError) as exc:
        ingest_bytes(bad_inputs.docx_bytes(xml.encode()), "short.docx", max_characters=100)
    assert exc.value.code == "file_too_large"
    assert ingest_text(sentence * 10).text.startswith("The Supplier")
