"""The bad-input corpus of issue 7, generated into a folder at run time (never kept in git).

``generate(folder, large=True) -> list[BadInput]`` writes every input and says what
each one is and what the reviewer must do with it:

* ``reviewed``: a successful review (odd but legitimate contracts: other encodings,
  right-to-left scripts, HTML inside clauses, deep nesting, many sections);
* ``refused``: a clear error with one of ``codes`` (empty files, images, damaged,
  encrypted or scanned PDFs, zip bombs, XXE payloads, oversized files);
* ``either``: a review or one of ``codes`` (e.g. a truncated PDF pypdf can partly read).

``large=False`` leaves out the three inputs that cost real time or disk (50 MB of
text, one 5 MB line, 10,000 sections); ``make hardening`` runs them, CI runs the rest.

Size limits these inputs exercise (see SECURITY.md): files over
``ReviewerSettings.max_file_bytes`` (25 MB) are refused with ``file_too_large`` from
their size on disk, before anything is read; a document whose text exceeds
``risk_copilot.ingest.DEFAULT_MAX_CHARACTERS`` is refused with ``file_too_large`` too;
API request bodies over ``ApiSettings.max_upload_bytes`` get 413 ``payload_too_large``
before they are parsed; a DOCX whose zip directory declares more than 200 MB, or an
implausible compression ratio, is refused without inflating anything.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

REVIEWED, REFUSED, EITHER = "reviewed", "refused", "either"


@dataclass(frozen=True)
class BadInput:
    name: str  # file name inside the corpus folder
    path: Path
    what: str  # one line: what the input is
    expected: str  # reviewed | refused | either
    codes: tuple[str, ...] = ()  # error codes accepted when refused
    large: bool = False  # left out of the quick corpus

    def accepts_error(self, code: str) -> bool:
        return self.expected in (REFUSED, EITHER) and code in self.codes


SAMPLE_CONTRACT = """SUPPLY AGREEMENT

This Supply Agreement is made between Northwind Components Ltd (the "Supplier") and Lakeshore Foods Inc (the "Buyer").

1. Supply. The Supplier shall deliver the goods listed in Schedule 1 to the Buyer's warehouse within 30 days of each purchase order.

2. Price and Payment. The Buyer shall pay each undisputed invoice within 45 days of receipt. Prices are fixed for the first 12 months.

3. Warranty. The Supplier warrants that the goods will conform to their specifications for 12 months after delivery.

4. Limitation of Liability. Each party's total liability under this Agreement shall not exceed the fees paid in the 12 months before the claim.

5. Confidentiality. Each party shall keep the other party's confidential information secret for 3 years after termination.

6. Term and Termination. This Agreement starts on 1 January 2026 and continues for 2 years. Either party may terminate it for material breach on 30 days' written notice.

7. Governing Law. This Agreement is governed by the laws of England and Wales.
"""


# ---------------------------------------------------------------- PDF bytes

def assemble_pdf(objects: list[bytes]) -> bytes:
    """A PDF file of the given object bodies (object 1 is the catalogue), with its xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % k + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _pdf(pages: list[bytes], *, image: bool = False) -> bytes:
    """A small valid PDF; each page's content stream is given. ``image`` adds an 8x8
    grey image XObject ``/Im1`` to every page's resources (a scan without a text layer)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    n = len(pages)
    font_id = 3 + 2 * n
    image_id = font_id + 1
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode())
    resources = f"/Font << /F1 {font_id} 0 R >>" + (f" /XObject << /Im1 {image_id} 0 R >>" if image else "")
    for i, content in enumerate(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << {resources} >> "
                       f"/Contents {4 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    if image:
        pixels = bytes((i * 37) % 256 for i in range(64))
        objects.append(b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
                       b"/BitsPerComponent 8 /Length 64 >>\nstream\n" + pixels + b"\nendstream")
    return assemble_pdf(objects)


def _text_page(lines: list[str]) -> bytes:
    ops = ["BT", "/F1 10 Tf", "13 TL", "60 740 Td"]
    for line in lines:
        esc = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({esc}) Tj T*")
    ops.append("ET")
    return "\n".join(ops).encode("latin-1", "replace")


def text_pdf(text: str, lines_per_page: int = 50) -> bytes:
    import textwrap

    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, 95) or [""])
    pages = [lines[i:i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    return _pdf([_text_page(p) for p in pages])


def image_only_pdf(pages: int = 2) -> bytes:
    return _pdf([b"q 480 0 0 640 66 76 cm /Im1 Do Q" for _ in range(pages)], image=True)


def encrypted_pdf(text: str, user_password: str = "s3cret-user") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(text))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- DOCX / zip bytes

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    '</Types>'
).encode()
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
).encode()
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def document_xml(paragraphs: list[str], *, prolog: str = "") -> str:
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{p}</w:t></w:r></w:p>" if p.startswith("&")
                   else f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')


@dataclass
class _ZipEntry:
    name: str
    payload: bytes  # raw deflate stream (method 8) or the stored bytes (method 0)
    crc: int
    size: int  # the uncompressed size written in the headers (may lie)
    method: int = 8


def _deflate_entry(name: str, data: bytes) -> _ZipEntry:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return _ZipEntry(name, c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def write_zip(entries: list[_ZipEntry]) -> bytes:
    """A zip written byte by byte, so headers can declare whatever sizes a test needs."""
    out = io.BytesIO()
    central = io.BytesIO()
    for e in entries:
        offset = out.tell()
        name = e.name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, e.method, 0, 0x21,
                              e.crc, len(e.payload), e.size, len(name), 0) + name + e.payload)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, e.method, 0, 0x21,
                                  e.crc, len(e.payload), e.size, len(name), 0, 0, 0, 0, 0, offset) + name)
    cd = central.getvalue()
    start = out.tell()
    out.write(cd)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(cd), start, 0))
    return out.getvalue()


def docx_bytes(xml: bytes) -> bytes:
    return write_zip([_deflate_entry("[Content_Types].xml", _CONTENT_TYPES), _deflate_entry("_rels/.rels", _RELS),
                      _deflate_entry("word/document.xml", xml)])


@functools.lru_cache(maxsize=2)
def _bomb_stream(inflated_bytes: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of a document.xml of ``inflated_bytes``: one
    deflated 1 MiB block of spaces repeated (each flushed with Z_FULL_FLUSH, so copies
    concatenate). Cached: the CRC over GiBs is the slow part."""
    chunk = b" " * (1024 * 1024)
    head = document_xml(["Bomb"]).encode().replace(b"<w:body>", b"<w:body><!--")
    tail = b"--></w:body></w:document>"
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    copies = max(1, (inflated_bytes - len(head) - len(tail)) // len(chunk))
    last = c.compress(tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(copies):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return first + block * copies + last, crc, len(head) + copies * len(chunk) + len(tail)


def zip_bomb_docx(inflated_bytes: int = 2 * 1024**3, *, lie_about_size: bool = False) -> bytes:
    """A DOCX whose ``word/document.xml`` inflates to ``inflated_bytes`` (default 2 GiB)
    from a stream of about 2 MB. ``lie_about_size`` declares 40 KB in the zip headers
    instead of the real size (then only inflating can tell)."""
    payload, crc, size = _bomb_stream(inflated_bytes)
    entry = _ZipEntry("word/document.xml", payload, crc, 40_000 if lie_about_size else size)
    return write_zip([_deflate_entry("[Content_Types].xml", _CONTENT_TYPES), _deflate_entry("_rels/.rels", _RELS), entry])


XXE_DOCTYPE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def xxe_docx(*, padding: int = 0, encoding: str = "utf-8") -> bytes:
    """A DOCX whose document.xml declares an external entity on /etc/passwd and uses it in
    a clause; ``padding`` puts a comment of that many characters before the DOCTYPE;
    ``encoding="utf-16"`` writes the part in UTF-16 (a byte search for ``<!DOCTYPE`` misses it)."""
    prolog = (f"<!--{'x' * padding}-->" if padding else "") + XXE_DOCTYPE
    xml = document_xml(["1. Confidentiality. The Supplier shall keep this secret:", "&xxe;"], prolog=prolog)
    if encoding != "utf-8":
        xml = xml.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
    return docx_bytes(xml.encode(encoding))


def billion_laughs_docx() -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    xml = document_xml(["1. Term. This Agreement lasts one year.", "&lol9;"],
                       prolog=f"<!DOCTYPE w:document [{entities}]>")
    return docx_bytes(xml.encode())


def png_bytes(side: int = 16) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(k % 256 for k in range(side)) for _ in range(side))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------- text bodies

def numbered_sections(count: int) -> str:
    words = ("Supplier", "Buyer", "goods", "invoice", "notice", "warranty")
    lines = ["SERVICE SCHEDULE", ""]
    for i in range(1, count + 1):
        lines.append(f"{i}. The {words[i % 6]} item {i} applies.")
    return "\n".join(lines) + "\n"


def nested_lists_markdown(depth: int = 50) -> str:
    lines = ["# Nested obligations", ""]
    for level in range(depth):
        lines.append("  " * level + f"- Level {level + 1}: the Supplier shall comply with the obligations below.")
    lines.append("")
    lines.append("1. Payment. The Buyer shall pay within 30 days of receipt of a valid invoice.")
    return "\n".join(lines) + "\n"


def nested_labels_text(depth: int = 50) -> str:
    labels = ["(a)", "(i)", "(A)", "(1)"]
    lines = ["1. Obligations. The Supplier shall:"]
    for level in range(depth):
        lines.append("    " * min(level, 20) + f"{labels[level % 4]} at level {level + 1}, comply with the clause below;")
    lines.append("2. Governing Law. This Agreement is governed by the laws of England.")
    return "\n".join(lines) + "\n"


HTML_CLAUSES = SAMPLE_CONTRACT.replace(
    "3. Warranty.",
    "3. Warranty. <script>alert('owned')</script><img src=x onerror=alert(1)> "
    "<b>Bold</b> <a href=\"javascript:alert(2)\">click</a> </textarea></pre>",
)

RTL_MIXED = SAMPLE_CONTRACT + (
    "\n8. Language. هذا العقد ملزم للطرفين ويخضع لقوانين إنجلترا. "
    "החוזה הזה כפוף לדיני אנגליה. \u202eThe Supplier shall pay\u202c the Buyer. "
    "Le Fournisseur s'engage à livrer. 供应商应在三十天内交货。 Поставщик несёт ответственность.\n"
)


def _mixed_encoding() -> bytes:
    # UTF-8 clauses with Latin-1 and cp1252 bytes spliced in (as when files are concatenated).
    return (SAMPLE_CONTRACT.encode("utf-8") + "\n8. Notices. Notices go to Société Générale, Zürich.\n".encode("latin-1")
            + "9. Fees. Fees are €1,000 – payable “on demand”.\n".encode("cp1252")
            + "10. Currency. Amounts are in £ sterling — never ¥.\n".encode("utf-8"))


def _nul_bytes() -> bytes:
    text = SAMPLE_CONTRACT.encode()
    return b"\x00".join(text[i:i + 300] for i in range(0, len(text), 300))


def _binary_junk() -> bytes:
    return bytes((i * 7919) % 256 for i in range(20_000))


# ---------------------------------------------------------------- the corpus

def generate(folder: str | Path, *, large: bool = True) -> list[BadInput]:
    """Write the corpus into ``folder`` (created) and describe it."""
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    inputs: list[BadInput] = []

    def add(name: str, data: bytes | str, what: str, expected: str, codes: tuple[str, ...] = (), *,
            is_large: bool = False) -> None:
        path = root / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        inputs.append(BadInput(name, path, what, expected, codes, is_large))

    empty = ("empty_document",)
    add("empty.txt", b"", "a 0-byte text file", REFUSED, empty)
    add("empty.pdf", b"", "a 0-byte PDF", REFUSED, empty)
    add("empty.docx", b"", "a 0-byte DOCX", REFUSED, empty)
    add("whitespace.txt", b" \t\r\n\n   \n\t\xc2\xa0\n", "whitespace only", REFUSED, empty)
    add("whitespace.md", "   \n\n\t\n", "whitespace-only Markdown", REFUSED, empty)
    add("png-renamed.pdf", png_bytes(), "a PNG image renamed .pdf", REFUSED, ("corrupt_file", "unsupported_format"))
    # distinct bytes: a batch scan keys results by sha256, so identical files share one result
    add("png-renamed.txt", png_bytes(24), "a PNG image renamed .txt", REFUSED, ("unsupported_format",))
    add("binary-junk.txt", _binary_junk(), "binary bytes named .txt", REFUSED, ("unsupported_format", "undecodable_text"))
    full_pdf = text_pdf(SAMPLE_CONTRACT * 3, lines_per_page=30)
    add("truncated.pdf", full_pdf[: len(full_pdf) // 2], "a text PDF cut in half (no xref, no trailer)", EITHER,
        ("corrupt_file", "scanned_pdf"))
    add("truncated-header-only.pdf", full_pdf[:200], "the first 200 bytes of a PDF", REFUSED,
        ("corrupt_file", "scanned_pdf"))
    add("encrypted.pdf", encrypted_pdf(SAMPLE_CONTRACT), "an RC4-encrypted PDF with a user password", REFUSED,
        ("encrypted_file",))
    add("image-only.pdf", image_only_pdf(), "a PDF whose pages are only images (a scan)", REFUSED, ("scanned_pdf",))
    bomb = ("file_too_large", "corrupt_file")
    add("zip-bomb.docx", zip_bomb_docx(), "a DOCX whose document.xml inflates to 2 GiB from ~2 MB", REFUSED, bomb)
    add("zip-bomb-lying.docx", zip_bomb_docx(lie_about_size=True),
        "the same bomb with a 40 KB size declared in the zip headers", REFUSED, bomb)
    xxe = ("corrupt_file",)
    add("xxe.docx", xxe_docx(), "a DOCX with an external entity on /etc/passwd", REFUSED, xxe)
    add("xxe-padded.docx", xxe_docx(padding=10_000), "the XXE DOCX with its DOCTYPE after a 10 KB comment",
        REFUSED, xxe)
    add("xxe-utf16.docx", xxe_docx(encoding="utf-16"), "the XXE DOCX with document.xml in UTF-16", REFUSED, xxe)
    add("billion-laughs.docx", billion_laughs_docx(), "a DOCX with nested internal entities (billion laughs)",
        REFUSED, xxe)
    add("zip-not-docx.docx", write_zip([_deflate_entry("readme.txt", b"hello")]), "a zip without a Word body",
        REFUSED, ("corrupt_file",))
    add("utf16-bom.txt", SAMPLE_CONTRACT.encode("utf-16"), "UTF-16 with a byte-order mark", REVIEWED)
    add("utf16le-nobom.txt", SAMPLE_CONTRACT.encode("utf-16-le"), "UTF-16LE without a byte-order mark", REVIEWED)
    add("latin1.txt", (SAMPLE_CONTRACT + "\n8. Notices. Société Générale, Zürich, Ångström.\n").encode("latin-1"),
        "Latin-1 text", REVIEWED)
    add("mixed-encoding.txt", _mixed_encoding(), "UTF-8, Latin-1 and cp1252 bytes in one file", REVIEWED)
    add("rtl-mixed-scripts.txt", RTL_MIXED, "Arabic, Hebrew, bidi overrides, CJK and Cyrillic", REVIEWED)
    add("nul-bytes.txt", _nul_bytes(), "text with NUL bytes every 300 characters", REVIEWED)
    add("html-script.md", HTML_CLAUSES, "<script>, event handlers and HTML inside clauses (Markdown)", REVIEWED)
    add("html-script.txt", HTML_CLAUSES, "<script> and HTML inside clauses (text)", REVIEWED)
    add("nested-lists-50.md", nested_lists_markdown(50), "Markdown lists nested 50 deep", REVIEWED)
    add("nested-labels-50.txt", nested_labels_text(50), "(a)/(i)/(A)/(1) sub-clauses nested 50 deep", REVIEWED)
    add("docx-nested-html.docx", docx_bytes(document_xml(HTML_CLAUSES.split("\n")).encode()),
        "a DOCX whose clauses hold HTML and <script>", REVIEWED)
    if large:
        path = root / "fifty-mb.txt"
        line = ("The Supplier shall deliver the goods on time and the Buyer shall pay within 30 days. " * 12) + "\n"
        with path.open("w", encoding="utf-8") as fh:
            written = 0
            while written < 50 * 1024 * 1024:
                fh.write(line)
                written += len(line)
        inputs.append(BadInput(path.name, path, "50 MB of text", REFUSED, ("file_too_large",), True))
        sentence = "The Supplier shall deliver the goods and the Buyer shall pay the price. "
        add("one-5mb-line.txt", sentence * (5 * 1024 * 1024 // len(sentence)), "one 5 MB line of text, no newline",
            REFUSED, ("file_too_large",), is_large=True)
        add("ten-thousand-sections.txt", numbered_sections(10_000), "10,000 tiny numbered sections", REVIEWED,
            is_large=True)
    return inputs
