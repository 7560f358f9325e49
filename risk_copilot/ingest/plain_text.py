"""Plain text and Markdown: decoding, normalisation and structure.

Also holds ``BlockTextBuilder``, which every reader uses to assemble the ingested text
and its blocks so that block offsets always index the final text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace

from risk_copilot.document import Block
from risk_copilot.errors import IngestError

# C0/C1 control characters except \t and \n, plus stray BOMs / zero-width no-break spaces.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe]")
_NEWLINE_RE = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_BAD_CHAR_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def normalize_text(text: str) -> str:
    """Newlines to ``\\n``, form feeds to a blank line, NBSP to space, drop other controls."""
    text = _NEWLINE_RE.sub("\n", text)
    text = text.replace("\x0c", "\n\n").replace("\x0b", "\n").replace("\u00a0", " ")
    return _CONTROL_RE.sub("", text)


def decode_text(data: bytes, name: str) -> str:
    """Decode text bytes: UTF-8 (BOM optional), UTF-16/32 with BOM, else cp1252/latin-1.
    Mixed files (UTF-8 with stray single-byte characters, as when a Latin-1 line was
    pasted into a UTF-8 file) keep their UTF-8 text; only the bytes that are not UTF-8
    are read as cp1252.

    Raises ``unsupported_format`` for binary content and ``undecodable_text`` when the
    bytes cannot be read as text in any of those encodings.
    """
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    )
    for bom, encoding in boms:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                raise IngestError(
                    f"The file '{name}' starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} text.",
                    code="undecodable_text",
                    details={"name": name, "encoding": encoding},
                ) from None
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError:
            pass
    sample = data[:65536]
    if sample:
        nuls = sample.count(0)
        controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
        if (nuls > 8 and nuls / len(sample) > 0.01) or (controls > 8 and controls / len(sample) > 0.05):
            raise IngestError(
                f"The file '{name}' contains binary data, not text.",
                code="unsupported_format",
                details={"name": name},
            )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _utf8_with_single_byte_runs(data)
    if text:
        bad = len(_BAD_CHAR_RE.findall(text[:65536]))
        if bad > 8 and bad / min(len(text), 65536) > 0.05:
            raise IngestError(
                f"The file '{name}' could not be decoded as text in any supported encoding.",
                code="undecodable_text",
                details={"name": name},
            )
    return text


_STRAY_BYTES_RE = re.compile("[\udc80-\udcff]+")


def _utf8_with_single_byte_runs(data: bytes) -> str:
    """UTF-8 where it is valid, every run of bytes that is not read as cp1252. A file
    entirely in cp1252 or Latin-1 comes out as a plain cp1252 decode would give it."""
    text = data.decode("utf-8", errors="surrogateescape")
    return _STRAY_BYTES_RE.sub(lambda m: _cp1252_with_latin1(bytes(ord(c) - 0xDC00 for c in m.group())), text)


def _cp1252_with_latin1(data: bytes) -> str:
    """cp1252, with the five bytes it leaves undefined read as latin-1 (C1 controls, dropped later)."""
    parts = re.split(rb"([\x81\x8d\x8f\x90\x9d])", data)
    return "".join(p.decode("latin-1") if i % 2 else p.decode("cp1252") for i, p in enumerate(parts))


def _bomless_utf16(data: bytes) -> str | None:
    """Detect UTF-16 without BOM by the NUL pattern of mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 16 or len(sample) % 2:
        return None
    even_nul = sum(1 for b in sample[0::2] if b == 0) / (len(sample) / 2)
    odd_nul = sum(1 for b in sample[1::2] if b == 0) / (len(sample) / 2)
    if odd_nul > 0.7 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.7 and odd_nul < 0.05:
        return "utf-16-be"
    return None


@dataclass
class BlockTextBuilder:
    """Accumulates text pieces and their blocks; offsets are exact by construction."""

    parts: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    length: int = 0
    last_kind: str | None = None

    def add(self, text: str, kind: str = "paragraph", *, level: int = 0, number: str | None = None) -> None:
        text = text.strip()
        if not text:
            return
        if self.parts:
            sep = "\n" if kind == self.last_kind and kind in ("table_row", "list_item") else "\n\n"
            self.parts.append(sep)
            self.length += len(sep)
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        self.blocks.append(Block(kind=kind, start=start, end=self.length, level=level, number=number))
        self.last_kind = kind

    def page_break(self) -> None:
        """Force a paragraph break before the next piece (used between PDF pages)."""
        self.last_kind = None

    def extend_last(self, text: str) -> None:
        """Continue the last block with ``text`` on a new line (a paragraph that runs on
        across a PDF page break)."""
        text = text.strip()
        if not text:
            return
        if not self.blocks:
            self.add(text)
            return
        self.parts.append("\n" + text)
        self.length += 1 + len(text)
        last = self.blocks[-1]
        self.blocks[-1] = replace(last, end=self.length)

    @property
    def text(self) -> str:
        return "".join(self.parts)


# ---------------------------------------------------------------- plain text

_BULLET_RE = re.compile(r"^[ \t]*[•●▪◦‣∙·\-*][ \t]+")


def read_plain_text(text: str) -> tuple[str, tuple[Block, ...]]:
    """Plain text: the normalised text itself; one paragraph block per blank-line-separated
    chunk (bulleted lines become list items)."""
    text = normalize_text(text)
    blocks: list[Block] = []
    for m in re.finditer(r"[^\n]+(?:\n(?![ \t]*\n)[^\n]*)*", text):
        chunk = m.group(0)
        lstrip = len(chunk) - len(chunk.lstrip())
        rstrip = len(chunk.rstrip())
        if rstrip <= lstrip:
            continue
        start, end = m.start() + lstrip, m.start() + rstrip
        kind = "list_item" if _BULLET_RE.match(chunk) else "paragraph"
        blocks.append(Block(kind=kind, start=start, end=end))
    return text, tuple(blocks)


# ---------------------------------------------------------------- markdown

_MD_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_MD_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_MD_HR_RE = re.compile(r"^ {0,3}([-*_])[ \t]*(?:\1[ \t]*){2,}$")
_MD_LIST_RE = re.compile(r"^([ \t]*)([-*+]|\d{1,3}[.)]|[a-zA-Z][.)]|\([a-zA-Z0-9]{1,4}\))[ \t]+(.*)$")
_MD_TABLE_SEP_RE = re.compile(r"^[ \t]*\|?[ \t]*:?-{1,}:?[ \t]*(\|[ \t]*:?-{1,}:?[ \t]*)*\|?[ \t]*$")
_MD_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")
_MD_NUMBER_RE = re.compile(r"^\(?([0-9]+(?:\.[0-9]+)*|[A-Za-z]{1,4})[.)]?")

_INLINE_SUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<(https?://[^>\s]+|mailto:[^>\s]+)>"), r"\1"),
    (re.compile(r"<br\s*/?>", re.I), " "),
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"(?<![\w_])__(?=[^\s_])([^_]+?)(?<=[^\s_])__(?![\w_])"), r"\1"),
    (re.compile(r"(?<![\*\w])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\*\w])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?![\w_])"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
)


def strip_inline_markdown(text: str) -> str:
    """Remove emphasis, links, code spans and escapes, keeping the readable words."""
    for pattern, repl in _INLINE_SUBS:
        text = pattern.sub(repl, text)
    return text


def _number_of(text: str) -> str | None:
    m = re.match(r"^(\d+(?:\.\d+)*)\.?\s", text + " ")
    if m:
        return m.group(1)
    m = re.match(r"^(\([a-zA-Z0-9]{1,4}\))\s", text + " ")
    return m.group(1) if m else None


def read_markdown(source: str) -> tuple[str, tuple[Block, ...]]:
    """Markdown to readable plain text plus heading/list/table/paragraph blocks."""
    lines = normalize_text(source).split("\n")
    out = BlockTextBuilder()
    para: list[str] = []

    def flush_para() -> None:
        if para:
            text = strip_inline_markdown(" ".join(s.strip() for s in para)).strip()
            raw = " ".join(s.strip() for s in para)
            # A short paragraph that is wholly bold ("**1. Scope.**") is a heading.
            if (
                re.fullmatch(r"(\*\*|__)[^*_].*(\*\*|__)", raw.strip())
                and len(text) <= 120
                and raw.strip().count("**") + raw.strip().count("__") == 2
            ):
                out.add(text, "heading", level=0, number=_number_of(text))
            else:
                out.add(text, "paragraph", number=_number_of(text))
            para.clear()

    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush_para()
            i += 1
            continue
        if _MD_FENCE_RE.match(line):
            flush_para()
            fence = _MD_FENCE_RE.match(line).group(1)
            i += 1
            code: list[str] = []
            while i < n and not lines[i].strip().startswith(fence):
                code.append(lines[i])
                i += 1
            out.add("\n".join(code), "paragraph")
            i += 1
            continue
        m = _MD_HEADING_RE.match(line)
        if m:
            flush_para()
            text = strip_inline_markdown(m.group(2)).strip()
            out.add(text, "heading", level=len(m.group(1)), number=_number_of(text))
            i += 1
            continue
        if para and _MD_SETEXT_RE.match(line) and not _MD_LIST_RE.match(para[-1]):
            text = strip_inline_markdown(" ".join(s.strip() for s in para)).strip()
            para.clear()
            out.add(text, "heading", level=1 if stripped.startswith("=") else 2, number=_number_of(text))
            i += 1
            continue
        if _MD_HR_RE.match(line):
            flush_para()
            i += 1
            continue
        if stripped.startswith("|") or (
            "|" in stripped and i + 1 < n and _MD_TABLE_SEP_RE.match(lines[i + 1]) and "-" in lines[i + 1]
        ):
            flush_para()
            while i < n and lines[i].strip() and "|" in lines[i]:
                row = lines[i].strip()
                if _MD_TABLE_SEP_RE.match(row) and "-" in row:
                    i += 1
                    continue
                row = row.strip("|")
                cells = [strip_inline_markdown(c.strip()) for c in re.split(r"(?<!\\)\|", row)]
                cells = [c.replace("\\|", "|") for c in cells if c]
                out.add(" | ".join(cells), "table_row")
                i += 1
            continue
        if stripped.startswith(">"):
            line = re.sub(r"^\s*(>\s?)+", "", line)
            stripped = line.strip()
            if not stripped:
                flush_para()
                i += 1
                continue
        m = _MD_LIST_RE.match(line)
        if m:
            flush_para()
            indent = len(m.group(1).expandtabs(4))
            marker = m.group(2)
            item = [m.group(3).strip()]
            i += 1
            # Lazy continuation lines belong to the item.
            while i < n and lines[i].strip() and not _MD_LIST_RE.match(lines[i]) \
                    and not _MD_HEADING_RE.match(lines[i]) and not lines[i].strip().startswith("|"):
                item.append(lines[i].strip())
                i += 1
            body = strip_inline_markdown(" ".join(item)).strip()
            if marker in "-*+":
                text, number = body, None
            else:
                text = f"{marker} {body}"
                number = marker.rstrip(".") if not marker.endswith(")") or marker.startswith("(") else marker
            out.add(text, "list_item", level=indent // 2, number=number)
            continue
        para.append(line)
        i += 1
    flush_para()
    return out.text, tuple(out.blocks)
