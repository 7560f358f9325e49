"""Modality and polarity: who "shall", "will", "must" or "may" do something, and
whether the statement is negated ("shall not", "has no obligation to", "Nothing in
this Agreement shall", "In no event will", "Neither party may")."""

from __future__ import annotations

import re
from dataclasses import dataclass

MODALS = ("shall", "will", "must", "may")

_MODAL_RE = re.compile(
    r"(?=[abcdhimnpsuw])(?<![\w'-])(?P<phrase>"
    r"(?P<shall>shall|shan['’]t)|(?P<will>will|won['’]t)|(?P<must>must)|(?P<may>may)"
    r"|(?P<cannot>cannot|can[ \t]+not|can['’]t)"
    r"|(?P<req>(?:is|are)[ \t]+(?P<reqneg>not[ \t]+)?(?:required|obligated|obliged|bound)[ \t]+to)"
    r"|(?P<noob>(?:has|have|is[ \t]+under|are[ \t]+under|bears?|assumes?)[ \t]+no[ \t]+"
    r"(?:obligation|duty|responsibility|commitment)[ \t]+(?:to|of|for)?)"
    r"|(?P<neednot>needs?[ \t]+not|does[ \t]+not[ \t]+need[ \t]+to|do[ \t]+not[ \t]+need[ \t]+to)"
    r"|(?P<agree>(?:hereby[ \t]+)?(?:agrees?|commits?|undertakes?|covenants?|promises?)[ \t]+to)"
    r")(?![\w'-])"
    r"(?P<neg>[ \t]+(?:not|never)\b|[ \t]+(?:in[ \t]+no[ \t]+(?:event|case)|under[ \t]+no[ \t]+circumstances?)\b"
    r"|[ \t]+(?:have|has|bear|assume)[ \t]+no[ \t]+(?:obligation|duty|liability|responsibility|right)\b)?",
    re.IGNORECASE,
)
_NOT_MODAL_BEFORE_RE = re.compile(r"(?i)(?:\bat|\bgood|\bfree|\bill|\bthe|\bits|\bhis|\bher|\btheir|\bown)[ \t]+\Z")
_MAY_DATE_AFTER_RE = re.compile(r"[ \t]+\d")
_BOUNDARY_RE = re.compile(
    r"[.;:!?](?=\s)|\n|\([a-z0-9ivx]{1,4}\)[ \t]|,[ \t]+(?:and|or|but|provided[ \t]+that|except[ \t]+that)\b"
    r"|\b(?:and|but|or)[ \t]+(?=(?:the[ \t]+)?[A-Z])"
)
_INVERTED_RE = re.compile(r"(?i)(?:in[ \t]+no[ \t]+(?:event|case)|under[ \t]+no[ \t]+circumstances?|"
                          r"at[ \t]+no[ \t]+time|nor)[ \t,]*\Z")
_INVERTED_SUBJECT_RE = re.compile(r"[ \t]+((?:(?:the|either|any|each|a)[ \t]+)?[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,3})")
_NEG_SUBJECT_RE = re.compile(r"(?i)^(?:neither|no|nothing|none|nobody|no[ \t]+one)\b")
_LEAD_RE = re.compile(r"(?i)^(?:(?:and|or|but|then|that|which|who|if|so|thus|therefore|also|"
                      r"thereafter|further|furthermore|however|accordingly)\b[ \t,]*)+")
_ADVERB_TAIL_RE = re.compile(r"(?i)(?:[ \t,]+(?:also|promptly|then|only|each|hereby|thereafter|further|"
                             r"immediately|not|still|nevertheless|at[ \t]+its[ \t]+option|"
                             r"in[ \t]+its[ \t]+discretion|upon[ \t]+request))+[ \t,]*\Z")


@dataclass(frozen=True)
class Modality:
    """A modal verb phrase at ``text[start:end]`` with its subject.

    ``modal`` is one of MODALS ("is required to" / "has no obligation to" / "need
    not" read as "must", "agrees to" / "commits to" as "will", "cannot" as "may");
    ``negated`` is True for "shall not", "may not", "has no obligation to", "In no
    event shall", "Neither party will", "Nothing in this Agreement shall" and the like.
    ``subject`` is the noun phrase that governs the verb, as written, or None.
    """

    start: int
    end: int
    text: str
    subject: str | None
    modal: str
    negated: bool


def _segment_start(text: str, pos: int, floor: int) -> int:
    lo = max(floor, pos - 300)
    start = lo
    for m in _BOUNDARY_RE.finditer(text, lo, pos):
        start = m.end()
    return start


def _subject(segment: str) -> str | None:
    seg = _ADVERB_TAIL_RE.sub("", segment).strip(" \t,*\"“”")
    if "," in seg:
        seg = seg.rsplit(",", 1)[1] if not seg.endswith(",") else seg
    seg = _LEAD_RE.sub("", seg.strip(" \t,")).strip(" \t,")
    words = seg.split()
    if not words:
        return None
    return " ".join(words[-8:])


def modality(text: str) -> list[Modality]:
    """All modal verb phrases in ``text`` with subject and negation, in order."""
    out: list[Modality] = []
    prev_end = 0
    for m in _MODAL_RE.finditer(text):
        phrase = m.group("phrase")
        low = phrase.lower()
        if m.group("will") or m.group("may"):
            if _NOT_MODAL_BEFORE_RE.search(text, max(0, m.start() - 8), m.start()):
                continue
            if m.group("may") and phrase[0] == "M" and (
                    _MAY_DATE_AFTER_RE.match(text, m.end()) or phrase == "May" and m.start() > 0
                    and text[m.start() - 1] not in "\n\t (\"“*"):
                continue
        if m.group("agree") and out and not text[out[-1].end:m.start()].strip(" \t,"):
            continue  # "may not agree to": part of the previous modal phrase
        negated = bool(m.group("neg"))
        if m.group("shall"):
            modal, negated = "shall", negated or "'" in low or "’" in low
        elif m.group("will"):
            modal, negated = "will", negated or "'" in low or "’" in low
        elif m.group("must"):
            modal = "must"
        elif m.group("may"):
            modal = "may"
        elif m.group("cannot"):
            modal, negated = "may", True
        elif m.group("req"):
            modal, negated = "must", negated or bool(m.group("reqneg"))
        elif m.group("noob") or m.group("neednot"):
            modal, negated = "must", True
        else:
            modal = "will"
        seg_start = _segment_start(text, m.start(), prev_end)
        before = text[seg_start:m.start()]
        subject: str | None
        if _INVERTED_RE.search(before):
            negated = True
            sm = _INVERTED_SUBJECT_RE.match(text, m.end())
            subject = sm.group(1) if sm else None
        else:
            subject = _subject(before)
            if subject and _NEG_SUBJECT_RE.match(subject):
                negated = True
        out.append(Modality(m.start(), m.end(), m.group(), subject, modal, negated))
        prev_end = m.end()
    return out


def polarity(text: str, about: str | re.Pattern[str] | None = None,
             modalities: list[Modality] | None = None) -> str:
    """'negative' when the main statement is negated, else 'positive'.

    The main statement is the first modal phrase of ``text`` or, when ``about`` (a
    regex or plain word) is given, the first modal phrase of the sentence that
    mentions it (``polarity(clause, about="minimum")``). Text without any modal
    phrase is 'positive'.
    """
    mods = modality(text) if modalities is None else modalities
    if not mods:
        return "positive"
    chosen = mods[0]
    if about is not None:
        rx = about if isinstance(about, re.Pattern) else re.compile(re.escape(about), re.I)
        hit = rx.search(text)
        if hit:
            sent_start = max(text.rfind(". ", 0, hit.start()), text.rfind("; ", 0, hit.start())) + 1
            in_sentence = [x for x in mods if x.start >= sent_start]
            if in_sentence:
                chosen = in_sentence[0]
    return "negative" if chosen.negated else "positive"
