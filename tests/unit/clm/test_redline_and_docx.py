from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from docx import Document
from lxml import etree

from clm_core.docx_render import markdown_to_docx
from clm_core.redline import diff_words
from clm_core.redline_docx import tracked_changes_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_word_level_changes_inside_a_paragraph():
    r = diff_words("Pay within thirty (30) days of receipt.", "Pay within forty-five (45) days after receipt.")
    assert r.deleted_words == ["thirty", "(30)", "of"]
    assert r.inserted_words == ["forty-five", "(45)", "after"]
    assert r.paragraphs[0].kind == "changed"


def test_paragraphs_inserted_and_deleted_whole():
    r = diff_words("A one.\n\nB two.\n\nC three.", "A one.\n\nC three.\n\nD four.")
    assert [p.kind for p in r.paragraphs] == ["equal", "deleted", "equal", "inserted"]
    assert r.to_markdown().split("\n\n")[1] == "[-B two.-]"
    assert diff_words("same\n\ntext", "same\n\n\ntext").unchanged


def test_tracked_changes_xml():
    data = tracked_changes_docx("Net 30 days.\n\nOld clause.", "Net 45 days.\n\nNew clause added.",
                                author="Lena Legal", date=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    ins, dels = root.findall(f".//{W}ins"), root.findall(f".//{W}del")
    assert {e.get(f"{W}author") for e in ins + dels} == {"Lena Legal"}
    assert {e.get(f"{W}date") for e in ins + dels} == {"2026-03-01T12:00:00Z"}
    assert "".join(t.text for d in dels for t in d.iter(f"{W}delText")).split() == ["30", "Old", "clause."]
    assert "45" in "".join(t.text for i in ins for t in i.iter(f"{W}t"))
    # python-docx can still open it, and the accepted text reads as the new version
    doc = Document(io.BytesIO(data))
    assert len(doc.paragraphs) == 2


def test_markdown_to_docx_keeps_bold_headings_and_tables():
    md = "# Title\n\n**1. Scope.**\n\nBody text.\n\n**Schedule 1**\n\n| A | B |\n|---|---:|\n| x | 1 |"
    doc = Document(io.BytesIO(markdown_to_docx(md)))
    texts = [p.text for p in doc.paragraphs]
    assert texts == ["Title", "1. Scope.", "Body text.", "Schedule 1"]
    assert doc.paragraphs[1].runs[0].bold
    assert [[c.text for c in row.cells] for row in doc.tables[0].rows] == [["A", "B"], ["x", "1"]]
