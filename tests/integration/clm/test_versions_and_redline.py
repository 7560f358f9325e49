"""Every edit makes a version; word-level redlines; DOCX export with real tracked changes."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile

from docx import Document
from lxml import etree

from lifecycle_steps import THREE_LINES
from lifecycle_steps import author_procurement

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def test_versions_and_word_level_redline(clm, vendor_id, clock):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    clock.advance(hours=1)
    clm.contracts.edit_terms("carl", c.id, attributes={"payment_days": 45}, note="net 45")
    versions = clm.contracts.versions("carl", c.id)
    assert [v["version_no"] for v in versions] == [1, 2]
    assert versions[0]["sha256"] != versions[1]["sha256"]
    assert versions[1]["terms"]["attributes"]["payment_days"] == 45

    redline = clm.contracts.redline("carl", c.id, 1, 2)
    assert redline.deleted_words == ["30"] and redline.inserted_words == ["45"]
    assert "within [-30-] {+45+} days after receipt" in redline.to_markdown()
    assert clm.contracts.redline("carl", c.id, 2, 2).unchanged


def test_docx_export_and_tracked_changes(clm, vendor_id, clock, tmp_path):
    c = author_procurement(clm, vendor_id, THREE_LINES)
    clock.advance(hours=2)
    clm.contracts.edit_terms("carl", c.id, attributes={"payment_days": 45},
                             add_lines=[{"item": "GLV-M", "description": "Nitrile gloves", "unit": "box",
                                         "unit_price": "9.85", "quantity": "6000"}])
    plain = Document(io.BytesIO(clm.contracts.export_docx("carl", c.id)))
    texts = [p.text for p in plain.paragraphs]
    assert texts[0] == "Supply Agreement" and any("within 45 days" in t for t in texts)
    assert len(plain.tables) == 1 and len(plain.tables[0].rows) == 5  # header + 4 lines

    data = clm.contracts.export_redline_docx("carl", c.id, 1, 2)
    xml = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
    ins = xml.findall(f".//{{{W}}}ins")
    dels = xml.findall(f".//{{{W}}}del")
    assert ins and dels
    for el in ins + dels:
        assert el.get(f"{{{W}}}author") == "Carl Contracts"
        assert el.get(f"{{{W}}}date") == "2026-01-05T11:00:00Z"
    deleted_text = "".join(t.text for d in dels for t in d.iter(f"{{{W}}}delText"))
    inserted_text = "".join(t.text for i in ins for t in i.iter(f"{{{W}}}t"))
    assert "30" in deleted_text and "45" in inserted_text and "GLV-M" in inserted_text
    assert not [d for d in dels if d.find(f".//{{{W}}}t") is not None]  # deletions use w:delText
    ids = [el.get(f"{{{W}}}id") for el in ins + dels]
    assert len(ids) == len(set(ids))

    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    if soffice:  # optional: LibreOffice must open it and keep the revisions
        path = tmp_path / "redline.docx"
        path.write_bytes(data)
        subprocess.run([soffice, "--headless", "--convert-to", "odt", "--outdir", str(tmp_path), str(path)],
                       check=True, timeout=120, capture_output=True)
        content = zipfile.ZipFile(tmp_path / "redline.odt").read("content.xml").decode()
        assert "tracked-changes" in content
