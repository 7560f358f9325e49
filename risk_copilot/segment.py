"""Segment an ingested document into clauses with exact offsets.

Steps:

1. Units: the document's blocks (or its blank-line paragraphs when it has none), split
   again where a line inside a unit starts with a section label.
2. Structure: each unit's leading label (``1.``, ``4.1``, ``(a)``, ``(iv)``, ``a)``,
   ``Section 4.2``, ``ARTICLE IV``, ``A.``, bullets) and run-in heading
   (``1. Project. The parties...``) update the current section and heading; units that
   are only a heading (``14. Termination.``, ``TERM AND TERMINATION``, a heading
   block) emit no clause.
3. Sentences (``risk_copilot.sentences``) of each unit's body; tiny sentences are
   merged with a neighbour, long ones split at ``;``; signature lines and pure
   punctuation are dropped.

Every clause satisfies ``doc.text[c.start:c.end] == c.text`` and is whitespace-trimmed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from risk_copilot.document import IngestedDocument
from risk_copilot.sentences import sentence_spans

MIN_CLAUSE_CHARS = 40


@dataclass(frozen=True)
class Clause:
    """A reviewable span: one sentence (or a few tiny ones) of a section."""

    id: str
    section: str | None
    heading: str | None
    start: int
    end: int
    text: str


# ---------------------------------------------------------------- labels

_KEYWORD_RE = re.compile(
    r"(?P<kw>ARTICLE|Article|SECTION|Section|Sec\.|SEC\.|§)\s*"
    r"(?P<num>\d{1,3}(?:\.\d{1,3})*[A-Za-z]?|[IVXLC]{1,7}\b|[A-Z]\b)\.?(?:\s*[:\-–—.])?"
)
_DECIMAL_RE = re.compile(r"(?P<num>\d{1,3}(?:\.\d{1,3}){0,4})(?P<dot>\.?)(?=\s)")
_PAREN_RE = re.compile(r"\((?P<num>[a-z]{1,2}|[ivxlc]{1,6}|[A-Z]{1,2}|[IVXLC]{1,6}|\d{1,2})\)(?=\s)")
_HALFPAREN_RE = re.compile(r"(?P<num>[a-z]|[ivx]{1,5}|\d{1,2})\)(?=\s)")
_LETTER_DOT_RE = re.compile(r"(?P<num>[A-Z]|[IVX]{1,5})\.(?=\s+[A-Z])")
_BULLET_RE = re.compile(r"[•●▪◦‣∙·\-\*–](?=\s)")
_LINE_LABEL_RE = re.compile(
    r"\n[ \t]*(?=(?:ARTICLE|Article|SECTION|Section)\s+\w|\d{1,3}(?:\.\d{1,3})*\.?\s+[A-Z(\"“]|"
    r"\(?[a-z]{1,2}\)\s|\([ivxlc]{1,6}\)\s|\(\d{1,2}\)\s|[•●▪◦‣∙·][ \t])"
    # SEC filings often put a whole page on one line: "...herein.     Section 2.01 Retention."
    r"|[ \t]{3,}(?=(?:ARTICLE|Article|SECTION|Section)\s+(?:\d{1,3}(?:\.\d{1,3})*|[IVXLC]{1,7})\.?\s+[A-Z]"
    r"|\((?:[a-z]{1,2}|[ivxlc]{1,6}|\d{1,2})\)\s+[A-Z])"
)
_ROMAN_RE = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.I)

_SMALL_WORDS = frozenset(
    "a an and as at by for from in into of on or the to with without under upon no not nor vs via its".split()
)
_SIGNATURE_WORDS = re.compile(
    r"(?i)\b(signature|signed|name|title|date|by|its|witness|print(?:ed)?|authori[sz]ed|representative|"
    r"address|email|phone|per)\b"
)


def _is_roman(s: str) -> bool:
    return bool(s) and bool(_ROMAN_RE.match(s))


def _roman_value(s: str) -> int:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    s = s.lower()
    for k, ch in enumerate(s):
        v = values[ch]
        total += -v if k + 1 < len(s) and values[s[k + 1]] > v else v
    return total


@dataclass
class _Label:
    kind: str  # keyword | decimal | paren | letter_dot | bullet
    number: str  # as written, without punctuation ("14", "4.1", "a", "IV")
    end: int  # offset within the unit text just after the label
    keyword: str | None = None


def _parse_label(text: str) -> _Label | None:
    m = _KEYWORD_RE.match(text)
    if m:
        return _Label("keyword", m.group("num").rstrip("."), m.end(), m.group("kw"))
    m = _DECIMAL_RE.match(text)
    if m:
        num = m.group("num")
        rest = text[m.end():].lstrip()
        # "14 Termination" needs a capital after it; "30 days" is not a label.
        if m.group("dot") or "." in num or (rest[:1].isupper() and len(num) <= 2):
            return _Label("decimal", num, m.end())
    m = _PAREN_RE.match(text) or _HALFPAREN_RE.match(text)
    if m:
        return _Label("paren", m.group("num"), m.end())
    m = _LETTER_DOT_RE.match(text)
    if m:
        return _Label("letter_dot", m.group("num"), m.end())
    m = _BULLET_RE.match(text)
    if m:
        return _Label("bullet", "", m.end())
    return None


def _is_title_like(text: str, max_words: int = 10) -> bool:
    """Title Case or ALL CAPS, short: "What Is Confidential", "Ownership; No License"."""
    words = re.findall(r"[A-Za-z][A-Za-z'’\-]*", text)
    if not words or len(words) > max_words or len(text) > 90:
        return False
    if text.lstrip()[:1] in "\"“'(":
        return False
    for k, w in enumerate(words):
        if w[0].isupper():
            continue
        if k > 0 and w.lower() in _SMALL_WORDS:
            continue
        return False
    return True


def _clean_heading(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" \t\n.:;,-–—").strip()


def _run_in_heading(rest: str) -> int | None:
    """Length of a run-in heading at the start of ``rest`` ("Project. The parties..."), or None."""
    m = re.search(r"(\.|:)(?=\s|$)", rest)
    if not m:
        return len(rest) if _is_title_like(rest) and len(rest) <= 90 else None
    candidate = rest[: m.start()]
    if re.search(r"\d", candidate) and not re.search(r"(?i)section|schedule|exhibit|annex", candidate):
        return None
    if _is_title_like(candidate):
        return m.end()
    return None


def _is_all_caps_heading(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return (
        len(letters) >= 3
        and len(text) <= 100
        and all(not c.islower() for c in letters)
        and "_" not in text
        and len(text.split()) <= 14
    )


# ---------------------------------------------------------------- units


@dataclass
class _Unit:
    start: int
    end: int
    kind: str


def _units(doc: IngestedDocument) -> list[_Unit]:
    text = doc.text
    raw: list[_Unit] = []
    if doc.blocks:
        for b in doc.blocks:
            raw.append(_Unit(b.start, b.end, b.kind))
    else:
        for m in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*", text):
            raw.append(_Unit(m.start(), m.end(), "paragraph"))
    units: list[_Unit] = []
    for u in raw:
        if u.kind == "table_row":
            units.append(u)
            continue
        chunk = text[u.start:u.end]
        cuts = [0] + [m.end() for m in _LINE_LABEL_RE.finditer(chunk)] + [len(chunk)]
        for a, b in zip(cuts, cuts[1:]):
            piece = chunk[a:b]
            ls = len(piece) - len(piece.lstrip())
            rs = len(piece.rstrip())
            if rs > ls:
                units.append(_Unit(u.start + a + ls, u.start + a + rs, u.kind if a == 0 else "paragraph"))
    return units


# ---------------------------------------------------------------- structure state


class _SectionState:
    def __init__(self) -> None:
        self.top: str | None = None
        self.subs: list[tuple[str, str]] = []  # (style, label)
        self.heading: str | None = None
        self.headings: dict[str, str] = {}
        self.awaiting_heading = False
        self.heading_fresh = False  # an unnumbered heading with no text under it yet

    @property
    def section(self) -> str | None:
        if self.top is None and not self.subs:
            return None
        return (self.top or "") + "".join(f"({label})" for _, label in self.subs)

    def _lookup(self, number: str) -> str | None:
        parts = number.split(".")
        for k in range(len(parts), 0, -1):
            h = self.headings.get(".".join(parts[:k]))
            if h:
                return h
        return None

    def set_top(self, number: str, heading: str | None, keyword: str | None) -> None:
        previous_top, previous_heading = self.top, self.heading
        self.top = number
        self.subs = []
        keys = [number]
        if _is_roman(number) and number.isupper():
            keys.append(str(_roman_value(number)))
        if heading:
            self.heading = heading
            for k in keys:
                self.headings[k] = heading
        else:
            found = self._lookup(number) or (self._lookup(keys[-1]) if len(keys) > 1 else None)
            if found is None and previous_top is None and previous_heading and self.heading_fresh:
                found = previous_heading  # numbered text right under an unnumbered heading
            self.heading = found
        # "ARTICLE IV" alone on its line: the next unnumbered heading names it.
        self.awaiting_heading = heading is None and keyword is not None

    def set_sub(self, label: str) -> None:
        style = self._style(label)
        for k, (s, _) in enumerate(self.subs):
            if s == style:
                del self.subs[k:]
                break
        self.subs.append((style, label))
        self.awaiting_heading = False

    def _style(self, label: str) -> str:
        if label.isdigit():
            return "digit"
        lower = label.islower()
        prefix = "lower" if lower else "upper"
        letter_style, roman_style = f"{prefix}_letter", f"{prefix}_roman"
        if not _is_roman(label):
            return letter_style
        current_letter = next((lab for s, lab in self.subs if s == letter_style), None)
        if len(label) == 1 and current_letter is not None and len(current_letter) == 1 \
                and ord(label) == ord(current_letter) + 1:
            return letter_style  # (h) then (i); (u) then (v); (w) then (x)
        if len(label) == 1 and label.lower() in "i" and current_letter is None:
            return roman_style
        if current_letter is None and label.lower() in ("v", "x", "l", "c") and not any(
            s == roman_style for s, _ in self.subs
        ):
            return letter_style
        return roman_style

    def unnumbered_heading(self, heading: str) -> None:
        if self.awaiting_heading and self.top is not None:
            self.heading = heading
            self.headings.setdefault(self.top, heading)
            if _is_roman(self.top) and self.top.isupper():
                self.headings.setdefault(str(_roman_value(self.top)), heading)
        else:
            self.top = None
            self.subs = []
            self.heading = heading
            self.heading_fresh = True
        self.awaiting_heading = False


# ---------------------------------------------------------------- main


def segment_document(doc: IngestedDocument, *, max_clause_chars: int = 600) -> list[Clause]:
    """Split ``doc`` into clauses (sentences) carrying their section number and heading."""
    text = doc.text
    state = _SectionState()
    bodies: list[tuple[int, int, str | None, str | None, bool]] = []  # start, end, section, heading, is_row

    for unit in _units(doc):
        utext = text[unit.start:unit.end]
        if unit.kind == "table_row":
            bodies.append((unit.start, unit.end, state.section, state.heading, True))
            continue
        label = _parse_label(utext)
        body_offset = 0
        if label is not None and label.kind != "bullet":
            rest_start = label.end + (len(utext[label.end:]) - len(utext[label.end:].lstrip(" \t\n-–—:")))
            rest = utext[rest_start:]
            if label.kind == "paren":
                state.set_sub(label.number)
                body_offset = rest_start
            else:
                heading_len = _run_in_heading(rest) if rest else None
                if not rest:
                    heading = None
                    body_offset = len(utext)
                elif heading_len is not None:
                    heading = _clean_heading(rest[:heading_len]) or None
                    body_offset = rest_start + heading_len
                elif label.kind == "keyword" and _is_all_caps_heading(rest):
                    heading = _clean_heading(rest)
                    body_offset = len(utext)
                else:
                    heading = None
                    body_offset = rest_start
                number = label.number.upper() if label.kind == "keyword" and _is_roman(label.number) else label.number
                state.set_top(number, heading, label.keyword)
                if not rest:
                    state.awaiting_heading = True
        elif label is not None:  # bullet
            body_offset = label.end
        elif _is_heading_only(utext, unit.kind):
            state.unnumbered_heading(_clean_heading(utext))
            continue
        else:
            state.awaiting_heading = False
        body = utext[body_offset:]
        ls = len(body) - len(body.lstrip())
        start = unit.start + body_offset + ls
        end = unit.start + len(utext.rstrip())
        if end > start:
            bodies.append((start, end, state.section, state.heading, False))
            state.heading_fresh = False

    prose = [(s, e) for s, e, _, _, row in bodies if not row]
    spans_iter = iter(sentence_spans(text[s:e] for s, e in prose))
    clauses: list[Clause] = []
    for start, end, section, heading, is_row in bodies:
        if is_row:
            pieces = [(start, end)]
        else:
            sentences = [(start + a, start + b) for a, b in next(spans_iter)]
            pieces = []
            for s, e in _merge_tiny(sentences, text):
                pieces.extend(_split_long(text, s, e, max_clause_chars))
        for s, e in pieces:
            piece = text[s:e]
            if _is_junk(piece):
                continue
            clauses.append(Clause(f"c{len(clauses) + 1}", section, heading, s, e, piece))
    return clauses


_PAGE_FOOTER_RE = re.compile(r"(?i)\bpage\s+\d+\s+of\s+\d+\b|^\s*-?\s*\d+\s*-?\s*$")


def _is_heading_only(utext: str, kind: str) -> bool:
    if _PAGE_FOOTER_RE.search(utext):
        return False
    if "\n" in utext.strip() and kind != "heading":
        return False
    if kind == "heading":
        return len(utext) <= 120 and not re.search(r"[.;:]\s+\S", utext)
    if _is_all_caps_heading(utext) and not utext.rstrip().endswith((",", ";")):
        return True
    return (
        len(utext) <= 60
        and _is_title_like(utext.rstrip(".:"), max_words=6)
        and not re.search(r"[.;:,]\s+\S", utext)
        and not utext.rstrip().endswith((",", ";"))
    )


def _merge_tiny(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    carry: int | None = None
    for s, e in spans:
        if carry is not None:
            s, carry = carry, None
        if e - s < MIN_CLAUSE_CHARS:
            carry = s
            continue
        merged.append((s, e))
    if carry is not None:
        last_end = spans[-1][1]
        if merged:
            merged[-1] = (merged[-1][0], last_end)
        else:
            merged.append((carry, last_end))
    return merged


def _split_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    if end - start <= limit:
        return [(start, end)]
    cuts = [m.end() for m in re.finditer(r";\s+", text[start:end])]
    if not cuts:
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    piece_start = 0
    last_cut = None
    for cut in cuts + [end - start]:
        if cut - piece_start > limit and last_cut is not None and last_cut > piece_start:
            pieces.append((piece_start, last_cut))
            piece_start = last_cut
        last_cut = cut
    pieces.append((piece_start, end - start))
    out = []
    for a, b in pieces:
        seg = text[start + a:start + b]
        ls = len(seg) - len(seg.lstrip())
        rs = len(seg.rstrip())
        if rs > ls:
            out.append((start + a + ls, start + a + rs))
    return out


def _is_junk(piece: str) -> bool:
    if not re.search(r"[A-Za-z0-9]", piece):
        return True
    if re.fullmatch(r"(?i)(page\s*)?\d+(\s*(of|/)\s*\d+)?", piece.strip()):
        return True
    if re.search(r"_{3,}|\.{5,}", piece):
        rest = re.sub(r"_{2,}|\.{4,}", " ", piece)
        rest = _SIGNATURE_WORDS.sub(" ", rest)
        if len(re.findall(r"[A-Za-z]{2,}", rest)) <= 8:
            return True
    return False
