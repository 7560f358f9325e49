"""Word-level redline between two texts, paragraph by paragraph.

Paragraphs are aligned first; paired paragraphs that changed are diffed word by word
(whitespace travels with the word before it), so a changed number shows as one word
replaced, not a rewritten paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Change:
    op: str  # equal | insert | delete
    text: str


@dataclass(frozen=True)
class ParagraphDiff:
    kind: str  # equal | changed | inserted | deleted
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Redline:
    paragraphs: tuple[ParagraphDiff, ...]

    @property
    def inserted_words(self) -> list[str]:
        return [w for p in self.paragraphs for c in p.changes if c.op == "insert" for w in c.text.split()]

    @property
    def deleted_words(self) -> list[str]:
        return [w for p in self.paragraphs for c in p.changes if c.op == "delete" for w in c.text.split()]

    @property
    def unchanged(self) -> bool:
        return all(p.kind == "equal" for p in self.paragraphs)

    def to_markdown(self) -> str:
        """Human-readable redline: ``[-deleted-]`` and ``{+inserted+}`` (wdiff style)."""
        out = []
        for p in self.paragraphs:
            parts = []
            for c in p.changes:
                if c.op == "equal":
                    parts.append(c.text)
                elif c.op == "insert":
                    parts.append("{+" + c.text.strip() + "+}" + (" " if c.text.endswith(" ") else ""))
                else:
                    parts.append("[-" + c.text.strip() + "-]" + (" " if c.text.endswith(" ") else ""))
            out.append("".join(parts))
        return "\n\n".join(out)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _word_diff(a: str, b: str) -> tuple[Change, ...]:
    ta, tb = TOKEN.findall(a), TOKEN.findall(b)
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    out: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(Change("equal", "".join(ta[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            out.append(Change("delete", "".join(ta[i1:i2])))
        if tag in ("insert", "replace"):
            out.append(Change("insert", "".join(tb[j1:j2])))
    return tuple(out)


def diff_words(old: str, new: str) -> Redline:
    pa, pb = paragraphs(old), paragraphs(new)
    matcher = SequenceMatcher(None, pa, pb, autojunk=False)
    result: list[ParagraphDiff] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result += [ParagraphDiff("equal", (Change("equal", p),)) for p in pa[i1:i2]]
        elif tag == "delete":
            result += [ParagraphDiff("deleted", (Change("delete", p),)) for p in pa[i1:i2]]
        elif tag == "insert":
            result += [ParagraphDiff("inserted", (Change("insert", p),)) for p in pb[j1:j2]]
        else:  # replace: pair paragraphs in order, extras become whole inserts/deletes
            olds, news = pa[i1:i2], pb[j1:j2]
            for k in range(max(len(olds), len(news))):
                if k < len(olds) and k < len(news):
                    result.append(ParagraphDiff("changed", _word_diff(olds[k], news[k])))
                elif k < len(olds):
                    result.append(ParagraphDiff("deleted", (Change("delete", olds[k]),)))
                else:
                    result.append(ParagraphDiff("inserted", (Change("insert", news[k]),)))
    return Redline(tuple(result))
