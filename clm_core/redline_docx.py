"""DOCX with real tracked changes: ``w:ins`` / ``w:del`` runs carrying ``w:author`` and ``w:date``.

Word and LibreOffice show these as revisions that can be accepted or rejected. Whole
inserted or deleted paragraphs also mark their paragraph mark as inserted / deleted.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from itertools import count

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from clm_core.redline import diff_words


def _run(text: str, deleted: bool = False) -> OxmlElement:
    r = OxmlElement("w:r")
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    return r


def _revision(tag: str, ids: count, author: str, date: str) -> OxmlElement:
    el = OxmlElement(tag)
    el.set(qn("w:id"), str(next(ids)))
    el.set(qn("w:author"), author)
    el.set(qn("w:date"), date)
    return el


def _mark_paragraph(p, tag: str, ids: count, author: str, date: str) -> None:
    ppr = p._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    rpr.append(_revision(tag, ids, author, date))
    ppr.append(rpr)


def tracked_changes_docx(old_markdown: str, new_markdown: str, *, author: str, date: datetime) -> bytes:
    """A document holding ``new_markdown`` with every change from ``old_markdown`` as a revision."""
    stamp = date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ids = count(1)
    doc = Document()
    for para in diff_words(old_markdown, new_markdown).paragraphs:
        p = doc.add_paragraph()
        for change in para.changes:
            if change.op == "equal":
                p._p.append(_run(change.text))
            elif change.op == "insert":
                ins = _revision("w:ins", ids, author, stamp)
                ins.append(_run(change.text))
                p._p.append(ins)
            else:
                dele = _revision("w:del", ids, author, stamp)
                dele.append(_run(change.text, deleted=True))
                p._p.append(dele)
        if para.kind == "inserted":
            _mark_paragraph(p, "w:ins", ids, author, stamp)
        elif para.kind == "deleted":
            _mark_paragraph(p, "w:del", ids, author, stamp)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
