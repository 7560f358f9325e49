"""The ingested document: text with stable character offsets plus its structure."""

from __future__ import annotations

from dataclasses import dataclass, field


BLOCK_KINDS = ("heading", "paragraph", "list_item", "table_row")


@dataclass(frozen=True)
class Block:
    """A structural unit of the ingested text: ``text[start:end]``.

    ``kind`` is one of BLOCK_KINDS; ``level`` is the heading level or list depth;
    ``number`` the list/heading number as written (``"4"``, ``"4.1"``, ``"(a)"``) when known.
    """

    kind: str
    start: int
    end: int
    level: int = 0
    number: str | None = None


@dataclass(frozen=True)
class IngestedDocument:
    """Plain text of a contract. Every offset in a review indexes ``text``."""

    name: str
    format: str  # txt | md | docx | pdf
    sha256: str  # of the original bytes
    text: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    pages: int | None = None

    @property
    def characters(self) -> int:
        return len(self.text)
