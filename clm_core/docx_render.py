"""Render the contract Markdown subset we generate (headings, bold, paragraphs, tables) to DOCX."""

from __future__ import annotations

import io
import re

from docx import Document
from docx.text.paragraph import Paragraph

BOLD = re.compile(r"\*\*(.+?)\*\*")


def add_inline(paragraph: Paragraph, text: str) -> None:
    """Add ``text`` to ``paragraph`` with ``**bold**`` spans as bold runs."""
    pos = 0
    for m in BOLD.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        paragraph.add_run(m.group(1)).bold = True
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def split_blocks(markdown: str) -> list[str]:
    return [b.strip("\n") for b in re.split(r"\n\s*\n", markdown) if b.strip()]


def is_table(block: str) -> bool:
    lines = block.splitlines()
    return len(lines) >= 2 and all(ln.strip().startswith("|") for ln in lines)


def table_rows(block: str) -> list[list[str]]:
    rows = []
    for ln in block.splitlines():
        cells = [c.strip() for c in ln.strip().strip("|").split("|")]
        if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows


def markdown_to_docx(markdown: str) -> bytes:
    doc = Document()
    for block in split_blocks(markdown):
        if block.startswith("# "):
            doc.add_heading(block[2:].strip(), level=1)
        elif is_table(block):
            rows = table_rows(block)
            table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for i, row in enumerate(rows):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
        else:
            lines = block.splitlines()  # a schedule title directly above its table
            if len(lines) > 1 and is_table("\n".join(lines[1:])):
                add_inline(doc.add_paragraph(), lines[0])
                rows = table_rows("\n".join(lines[1:]))
                table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
                table.style = "Table Grid"
                for i, row in enumerate(rows):
                    for j, cell in enumerate(row):
                        table.cell(i, j).text = cell
                continue
            add_inline(doc.add_paragraph(), " ".join(ln.strip() for ln in lines))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
