"""DOCX via python-docx: body paragraphs and tables in document order.

Word's automatic numbering is approximated: the number of each numbered paragraph is
computed from ``numbering.xml`` (decimal, letters, roman; ``lvlText`` patterns such as
``%1.%2``) and written in front of the paragraph text, and the paragraph becomes a
``list_item`` block with ``level`` = ``ilvl``. Heading-styled paragraphs become
``heading`` blocks. Guards: zip-bomb checks on the zip directory before anything is
decompressed; then every part is inflated in bounded steps and must match its declared
size and CRC (so the directory cannot lie); XML with a DTD (entity declarations) is
refused, in any encoding; python-docx's lxml parser also runs with
``resolve_entities=False``.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from typing import Any, Iterator

from risk_copilot.document import Block
from risk_copilot.errors import IngestError
from risk_copilot.ingest.detect import ZIP_READ_ERRORS
from risk_copilot.ingest.plain_text import BlockTextBuilder, normalize_text

MAX_UNCOMPRESSED_BYTES = 200_000_000
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 5_000

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{%s}" % W_NS


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file, not a zip
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream of a password-protected Office file


def check_zip_safety(data: bytes, name: str) -> None:
    """Reject password-protected and legacy (OLE) Word files, corrupt archives and zip
    bombs by reading only the zip directory."""
    if data.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in data:
            raise IngestError(f"The file '{name}' is a password-protected Word document: remove the password "
                              "(save an unprotected copy) and upload that.", code="encrypted_file", details={"name": name})
        raise IngestError(f"The file '{name}' is a legacy Word (.doc) or other OLE file, not a .docx: save it as "
                          ".docx or PDF.", code="unsupported_format", details={"name": name})
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_READ_ERRORS:
        raise IngestError(
            f"The file '{name}' is not a valid Word document (the zip container is damaged).",
            code="corrupt_file",
            details={"name": name},
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise IngestError(
                f"The file '{name}' has {len(infos)} parts, too many for a Word document.",
                code="corrupt_file",
                details={"name": name},
            )
        total = sum(i.file_size for i in infos)
        compressed = sum(i.compress_size for i in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise IngestError(
                f"The file '{name}' would expand to {total // 1_000_000} MB, more than the "
                f"{MAX_UNCOMPRESSED_BYTES // 1_000_000} MB allowed.",
                code="file_too_large",
                details={"name": name, "uncompressed_bytes": total},
            )
        if total > 10_000_000 and total / max(compressed, 1) > MAX_COMPRESSION_RATIO:
            raise IngestError(
                f"The file '{name}' has an implausible compression ratio and looks like a zip bomb.",
                code="corrupt_file",
                details={"name": name, "uncompressed_bytes": total, "compressed_bytes": compressed},
            )
        names = {i.filename for i in infos}
        if "word/document.xml" not in names:
            raise IngestError(
                f"The file '{name}' is a zip archive without a Word document body.",
                code="corrupt_file",
                details={"name": name},
            )
        for info in infos:
            head = _inflate_checked(data, zf, info, name)
            if info.filename.endswith((".xml", ".rels")) and _declares_dtd(head):
                raise IngestError(
                    f"The file '{name}' contains XML entity declarations, which are refused for safety.",
                    code="corrupt_file",
                    details={"name": name, "part": info.filename},
                )


_LOCAL_HEADER = struct.Struct("<4s22xHH")
_HEAD_BYTES = 65_536  # the XML prolog (declaration, comments, DOCTYPE) must fit in this
_INFLATE_STEP = 1 << 20


def _inflate_checked(data: bytes, zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """Inflate one part in bounded steps and return its first bytes.

    The directory's declared sizes are what the bomb checks trust, so they are verified
    here: a part that inflates to more (or less) than it declares is refused as soon as
    it passes its declared size. (``zipfile`` itself decompresses a whole member in one
    call before truncating it to the declared size: a 2 GB part declared as 40 KB would
    fill memory before its CRC is checked.) Only stored and deflated parts are accepted.
    """

    def damaged(why: str) -> IngestError:
        return IngestError(
            f"The file '{name}' is damaged: part '{info.filename}' {why}.",
            code="corrupt_file",
            details={"name": name, "part": info.filename},
        )

    if info.flag_bits & 0x1:
        raise damaged("is encrypted")
    offset = info.header_offset
    try:
        signature, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, offset)
    except struct.error:
        raise damaged("has no local header") from None
    if signature != b"PK\x03\x04":
        raise damaged("has no local header")
    start = offset + _LOCAL_HEADER.size + name_len + extra_len
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        raise damaged("is cut short")
    if info.compress_type == zipfile.ZIP_STORED:
        produced, head = len(raw), raw[:_HEAD_BYTES]
        crc = zlib.crc32(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        produced, crc, head, pending = 0, 0, b"", raw
        try:
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _INFLATE_STEP)
                produced += len(out)
                if produced > info.file_size:
                    raise damaged(f"inflates to more than the {info.file_size:,} bytes it declares")
                crc = zlib.crc32(out, crc)
                if len(head) < _HEAD_BYTES:
                    head += out[:_HEAD_BYTES - len(head)]
                pending = inflater.unconsumed_tail
                if not out and pending:
                    raise damaged("cannot be inflated")
        except zlib.error:
            raise damaged("cannot be inflated") from None
    else:
        raise damaged("uses a compression method Word does not use")
    if produced != info.file_size or crc != info.CRC:
        raise damaged("does not match its declared size and checksum")
    return head


_DTD_RE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_ELEMENT_RE = re.compile(rb"<[A-Za-z_:]")


def _declares_dtd(head: bytes) -> bool:
    """True when an XML part's prolog declares a DTD, or cannot be checked.

    NUL bytes are dropped first, so UTF-16 and UTF-32 text reads as ASCII; the part must
    then start with ``<`` (after a byte-order mark), and its root element must start
    within the first 64 KB (a DOCTYPE can only come before it).
    """
    text = head.replace(b"\x00", b"")
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if text.startswith(bom):
            text = text[len(bom):]
            break
    text = text.lstrip(b" \t\r\n")
    if not text:
        return False  # an empty part: nothing to declare
    if not text.startswith(b"<"):
        return True  # not XML in an encoding we can check (e.g. EBCDIC)
    if _DTD_RE.search(text):
        return True
    return _ELEMENT_RE.search(text) is None and len(head) >= _HEAD_BYTES


def read_docx(data: bytes, name: str) -> tuple[str, tuple[Block, ...]]:
    check_zip_safety(data, name)
    import docx  # python-docx; imported lazily (slow import)

    # check_zip_safety refused any part with a DTD, and python-docx parses with
    # lxml's resolve_entities=False and no network access, so no entity is expanded.
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for bad input
        raise IngestError(
            f"The file '{name}' could not be opened as a Word document ({type(exc).__name__}).",
            code="corrupt_file",
            details={"name": name, "error": str(exc)[:200]},
        ) from None

    numbering = _Numbering(document)
    styles = _StyleInfo(document)
    out = BlockTextBuilder()
    try:
        for kind, element in _iter_body(document.element.body):
            if kind == "p":
                _emit_paragraph(element, out, numbering, styles)
            else:
                _emit_table(element, out)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise IngestError(
            f"The file '{name}' has a damaged document body ({type(exc).__name__}).",
            code="corrupt_file",
            details={"name": name, "error": str(exc)[:200]},
        ) from None
    return out.text, tuple(out.blocks)


def _iter_body(body: Any) -> Iterator[tuple[str, Any]]:
    for child in body.iterchildren():
        tag = child.tag
        if tag == W + "p":
            yield "p", child
        elif tag == W + "tbl":
            yield "tbl", child
        elif tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if tag == W + "sdt" else child
            if content is not None:
                yield from _iter_body(content)
        elif tag in (W + "ins", W + "smartTag"):
            yield from _iter_body(child)


def paragraph_text(p: Any) -> str:
    """Visible text of a ``w:p``: runs, hyperlinks, insertions; tabs and breaks kept."""
    parts: list[str] = []
    for el in p.iter():
        tag = el.tag
        if tag == W + "t":
            parts.append(el.text or "")
        elif tag == W + "tab":
            if el.getparent() is not None and el.getparent().tag == W + "r":
                parts.append("\t")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
    return normalize_text("".join(parts))


def _emit_table(tbl: Any, out: BlockTextBuilder) -> None:
    for tr in tbl.iterchildren(W + "tr"):
        cells: list[str] = []
        for tc in tr.iterchildren(W + "tc"):
            texts = [paragraph_text(p).strip() for p in tc.iter(W + "p")]
            cell = " ".join(t for t in texts if t)
            cell = re.sub(r"\s+", " ", cell).strip()
            if cell:
                cells.append(cell)
        if cells:
            out.add(" | ".join(cells), "table_row")


def _emit_paragraph(p: Any, out: BlockTextBuilder, numbering: "_Numbering", styles: "_StyleInfo") -> None:
    text = paragraph_text(p).strip()
    if not text:
        return
    ppr = p.find(W + "pPr")
    style_id = None
    num_id = ilvl = None
    outline = None
    if ppr is not None:
        ps = ppr.find(W + "pStyle")
        style_id = ps.get(W + "val") if ps is not None else None
        num_id, ilvl = _num_pr(ppr)
        ol = ppr.find(W + "outlineLvl")
        if ol is not None and (ol.get(W + "val") or "").isdigit():
            outline = int(ol.get(W + "val"))
    if num_id is None and style_id:
        num_id, style_ilvl = styles.num_pr(style_id)
        ilvl = ilvl if ilvl is not None else style_ilvl
    heading_level = styles.heading_level(style_id) if style_id else None
    if heading_level is None and outline is not None and outline < 9:
        heading_level = outline + 1
    number = None
    if num_id is not None and num_id != "0":
        number = numbering.next_number(num_id, ilvl or 0)
    if number:
        text = f"{number} {text}" if not text.startswith(number) else text
        number_value = number.rstrip(".") if not number.startswith("(") else number
    else:
        number_value = None
    if heading_level is not None:
        out.add(text, "heading", level=heading_level, number=number_value)
    elif num_id is not None and num_id != "0":
        out.add(text, "list_item", level=ilvl or 0, number=number_value)
    else:
        out.add(text, "paragraph")


def _num_pr(ppr: Any) -> tuple[str | None, int | None]:
    num_pr = ppr.find(W + "numPr")
    if num_pr is None:
        return None, None
    nid = num_pr.find(W + "numId")
    lvl = num_pr.find(W + "ilvl")
    num_id = nid.get(W + "val") if nid is not None else None
    ilvl = lvl.get(W + "val") if lvl is not None else None
    return num_id, int(ilvl) if ilvl and ilvl.isdigit() else None


class _StyleInfo:
    """Heading levels and numbering inherited through the style chain (``basedOn``)."""

    def __init__(self, document: Any) -> None:
        self._styles: dict[str, Any] = {}
        try:
            root = document.styles.element
        except Exception:  # noqa: BLE001 - documents without a styles part
            return
        for st in root.iterchildren(W + "style"):
            sid = st.get(W + "styleId")
            if sid:
                self._styles[sid] = st

    def _chain(self, style_id: str) -> Iterator[Any]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self._styles:
            seen.add(style_id)
            st = self._styles[style_id]
            yield st
            based = st.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None

    def heading_level(self, style_id: str) -> int | None:
        for st in self._chain(style_id):
            nm = st.find(W + "name")
            name = (nm.get(W + "val") if nm is not None else "") or ""
            m = re.fullmatch(r"(?i)heading\s*([1-9])", name.strip())
            if m:
                return int(m.group(1))
            if name.strip().lower() in ("title",):
                return 1
            ppr = st.find(W + "pPr")
            if ppr is not None:
                ol = ppr.find(W + "outlineLvl")
                if ol is not None and (ol.get(W + "val") or "").isdigit() and int(ol.get(W + "val")) < 9:
                    return int(ol.get(W + "val")) + 1
        return None

    def num_pr(self, style_id: str) -> tuple[str | None, int | None]:
        for st in self._chain(style_id):
            ppr = st.find(W + "pPr")
            if ppr is not None:
                num_id, ilvl = _num_pr(ppr)
                if num_id is not None:
                    return num_id, ilvl
        return None, None


class _Numbering:
    """A small renderer for Word list numbering (enough for contract section numbers)."""

    def __init__(self, document: Any) -> None:
        self._num_to_abstract: dict[str, str] = {}
        self._start_overrides: dict[tuple[str, int], int] = {}
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self._counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part
            return
        style_links: dict[str, str] = {}
        num_style_links: dict[str, str] = {}
        for an in root.iterchildren(W + "abstractNum"):
            aid = an.get(W + "abstractNumId")
            levels: dict[int, tuple[int, str, str]] = {}
            for lvl in an.iterchildren(W + "lvl"):
                ilvl = int(lvl.get(W + "ilvl") or 0)
                start = lvl.find(W + "start")
                fmt = lvl.find(W + "numFmt")
                txt = lvl.find(W + "lvlText")
                levels[ilvl] = (
                    int(start.get(W + "val")) if start is not None and (start.get(W + "val") or "").lstrip("-").isdigit() else 1,
                    (fmt.get(W + "val") if fmt is not None else "decimal") or "decimal",
                    (txt.get(W + "val") if txt is not None else f"%{ilvl + 1}.") or "",
                )
            self._levels[aid] = levels
            link = an.find(W + "styleLink")
            if link is not None:
                style_links[link.get(W + "val")] = aid
            nsl = an.find(W + "numStyleLink")
            if nsl is not None:
                num_style_links[aid] = nsl.get(W + "val")
        # An abstractNum with numStyleLink takes its levels from the list style it names.
        for aid, style in num_style_links.items():
            target = style_links.get(style)
            if target is not None and self._levels.get(target):
                self._levels[aid] = self._levels[target]
        for num in root.iterchildren(W + "num"):
            nid = num.get(W + "numId")
            an = num.find(W + "abstractNumId")
            if nid is None or an is None:
                continue
            self._num_to_abstract[nid] = an.get(W + "val")
            for ov in num.iterchildren(W + "lvlOverride"):
                so = ov.find(W + "startOverride")
                if so is not None and (so.get(W + "val") or "").isdigit():
                    self._start_overrides[(nid, int(ov.get(W + "ilvl") or 0))] = int(so.get(W + "val"))

    def next_number(self, num_id: str, ilvl: int) -> str | None:
        aid = self._num_to_abstract.get(num_id)
        if aid is None or aid not in self._levels:
            return None
        levels = self._levels[aid]
        if ilvl not in levels:
            return None
        counters = self._counters.setdefault(aid, [0] * 10)
        for lv in range(10):
            if lv < len(counters) and counters[lv] == 0 and lv < ilvl and lv in levels:
                counters[lv] = self._start(num_id, levels, lv)
        if counters[ilvl] == 0:
            counters[ilvl] = self._start(num_id, levels, ilvl)
        else:
            counters[ilvl] += 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = 0
        fmt = levels[ilvl][1]
        if fmt in ("bullet", "none"):
            return None
        pattern = levels[ilvl][2]

        def render(m: re.Match[str]) -> str:
            lv = int(m.group(1)) - 1
            value = counters[lv] if 0 <= lv < 10 else 0
            lfmt = levels.get(lv, (1, "decimal", ""))[1]
            return _format_number(value, lfmt)

        rendered = re.sub(r"%([1-9])", render, pattern).strip()
        return rendered or None

    def _start(self, num_id: str, levels: dict[int, tuple[int, str, str]], lv: int) -> int:
        return self._start_overrides.get((num_id, lv), levels.get(lv, (1, "", ""))[0])


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = ""
        v = max(value, 1)
        while v > 0:
            v, rem = divmod(v - 1, 26)
            letters = chr(ord("a") + rem) + letters
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _to_roman(max(value, 1))
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _to_roman(value: int) -> str:
    table = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = []
    for n, s in table:
        while value >= n:
            out.append(s)
            value -= n
    return "".join(out)
