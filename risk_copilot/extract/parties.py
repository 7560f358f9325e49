"""Party roles from the preamble ("Lakeshore Bio Ltd. ... ("Customer")") and the acting
party of a clause: who holds the right or bears the obligation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .polarity import Modality, modality

ROLES = ("customer", "supplier", "discloser", "recipient", "party", "mutual")

#: defined term (lower case) -> role
ROLE_WORDS = {
    "customer": "customer", "buyer": "customer", "purchaser": "customer", "client": "customer",
    "licensee": "customer", "subscriber": "customer", "distributor": "customer",
    "reseller": "customer", "franchisee": "customer", "shipper": "customer",
    "supplier": "supplier", "vendor": "supplier", "seller": "supplier",
    "contractor": "supplier", "service provider": "supplier", "provider": "supplier",
    "licensor": "supplier", "consultant": "supplier", "manufacturer": "supplier",
    "developer": "supplier", "transporter": "supplier", "franchisor": "supplier",
    "discloser": "discloser", "disclosing party": "discloser",
    "recipient": "recipient", "receiving party": "recipient",
}
_NOT_PARTY_TERMS = frozenset((
    "agreement", "effective date", "party", "parties", "products", "product", "services",
    "service", "order", "orders", "project", "confidential information", "territory",
    "term", "affiliate", "affiliates", "this agreement", "amendment", "schedule",
))

_DEFINED_TERM_RE = re.compile(
    r"\((?P<lead>[^()\"“”]{0,60}?)[\"“”']{1,2}(?P<term>[A-Z][^\"“”()\n]{0,40}?)[\"“”']{1,2}[ \t.]*\)"
    r"|\((?P<bare>(?i:customer|buyer|purchaser|client|licensee|supplier|vendor|seller|contractor|"
    r"service provider|provider|licensor|consultant|distributor|manufacturer|transporter|shipper))\)"
)
_DEFINED_ROLE_RE = re.compile(
    r"[\"“](?P<term>(?i:discloser|disclosing party|recipient|receiving party))[\"”]"
)
_BOLD_RE = re.compile(r"\*\*(?P<name>[^*\n]{2,80}?)\*\*")
_ENTITY_RE = re.compile(
    r"(?P<name>(?:[A-Z0-9][\w&.'’/-]*|&)(?:,?[ \t]+(?:[A-Z0-9][\w&.'’/-]*|&|of|de|la|du|and|the|<<|>>))*?"
    r",?[ \t]+(?:Inc|Incorporated|Ltd|Limited|LLC|L\.L\.C|Co|Corp|Corporation|Company|GmbH|AG|S\.A|SA|"
    r"plc|PLC|LP|L\.P|LLP|N\.V|B\.V|Pty|S\.p\.A|Partnership|Trust|Bank|Holdings|Group|SE|KK|AB|AS|Oy)\b\.?)"
)
_CAP_RUN_BEFORE_RE = re.compile(r"(?P<name>[A-Z][\w&.'’-]*(?:[ \t,]+[A-Z][\w&.'’-]*){0,6})[ \t,]*\Z")
_SEGMENT_LEAD_RE = re.compile(r"(?i)^[\s,;:]*(?:(?:by|and|between|among|among\s+the\s+following\s+parties|"
                              r"\([a-z]\))[\s,;:]+)*")
_PREAMBLE_END_RE = re.compile(r"(?m)^\s*(?:\*\*)?(?:1\.|ARTICLE\s+1|Article\s+1|SECTION\s+1\b|Section\s+1\b)"
                              r"|\bWHEREAS\b|\bRECITALS\b|\bNOW,?\s+THEREFORE\b|\bThe parties agree\b")
_MUTUAL_RE = re.compile(
    r"(?i)\b(?:either|each|neither|both|no|any|a|the\s+other)[ \t]+(?:of[ \t]+the[ \t]+)?part(?:y|ies)\b"
    r"|\b(?:the|both)[ \t]+parties\b|\bparties\b|\beach[ \t]+of[ \t]+them\b"
)


@dataclass(frozen=True)
class Party:
    """A party of the contract: ``alias`` is its defined short name ("Customer",
    "Lakeshore"), ``name`` its legal name when found ("Lakeshore Bio Ltd."), ``role``
    one of customer / supplier / discloser / recipient / party. ``start``/``end``/``text``
    locate the defining parenthesis (or quoted definition) in the document."""

    start: int
    end: int
    text: str
    alias: str
    role: str
    name: str | None = None


def _term_key(term: str) -> str:
    """A party term as a lookup key: whitespace runs (tabs, line breaks) as one space, lower case."""
    return " ".join(term.split()).lower()


@dataclass(frozen=True)
class PartyRoles:
    """The parties found in a document, with lookups from a term to its role."""

    parties: tuple[Party, ...] = ()
    _term_re: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _roles: dict = field(init=False, repr=False, compare=False)
    _folded: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        roles: dict[str, str] = {_term_key(k): v for k, v in ROLE_WORDS.items()}
        for p in self.parties:
            roles[_term_key(p.alias)] = p.role
            if p.name:
                roles[_term_key(p.name)] = p.role
        terms = sorted(roles, key=len, reverse=True)
        pattern = r"(?<![\w])(?:" + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in terms) + r")(?![\w])"
        object.__setattr__(self, "_roles", roles)
        object.__setattr__(self, "_folded", {k.casefold(): v for k, v in roles.items()})
        object.__setattr__(self, "_term_re", re.compile(pattern, re.IGNORECASE))

    def _lookup(self, term: str) -> str | None:
        # keys and mentions are compared whitespace-normalised, then case-folded: the regex
        # matches case-insensitively ("SAM" for an alias "ſam"), so lower() alone can miss
        key = _term_key(term)
        return self._roles.get(key) or self._folded.get(key.casefold())

    def role_of(self, term: str) -> str | None:
        """Role of a defined term, legal name or role word ("the Supplier" -> supplier)."""
        t = _term_key(term)
        if t.startswith("the "):
            t = t[4:]
        if _MUTUAL_RE.fullmatch(t):
            return "mutual"
        return self._lookup(t)

    def by_role(self, role: str) -> list[Party]:
        """The parties with ``role``."""
        return [p for p in self.parties if p.role == role]

    def find_role_mentions(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
        """(role, start, end) for each mention of a party term in ``text[start:end]``."""
        end = len(text) if end is None else end
        found = ((self._lookup(m.group()), m.start(), m.end()) for m in self._term_re.finditer(text, start, end))
        return [(role, s, e) for role, s, e in found if role is not None]


def _legal_name(segment: str) -> str | None:
    b = None
    for b in _BOLD_RE.finditer(segment):
        pass
    if b:
        return b.group("name").strip(" ,")
    seg = _SEGMENT_LEAD_RE.sub("", segment)
    e = _ENTITY_RE.search(seg)
    if e:
        return e.group("name").strip(" ,")
    c = _CAP_RUN_BEFORE_RE.search(seg)
    if c and len(c.group("name")) > 2:
        return c.group("name").strip(" ,")
    return None


def find_party_roles(document_text: str) -> PartyRoles:
    """Read the preamble and definitions of a contract and return its parties.

    Defined names in parentheses after a party's legal name give its alias; the alias
    gives the role (Customer/Buyer/Purchaser/Client/Licensee -> customer, Supplier/
    Vendor/Seller/Contractor/Service Provider/Provider/Licensor/Consultant ->
    supplier, "Company" -> customer when the other side is a supplier). Other short
    names ("Lakeshore") are 'party'. NDA definitions of "Discloser"/"Recipient" (or
    "Disclosing Party"/"Receiving Party") anywhere in the document add those roles.
    """
    head_end = min(len(document_text), 4000)
    pe = _PREAMBLE_END_RE.search(document_text, 200, head_end)
    preamble_end = pe.start() if pe else head_end
    parties: list[Party] = []
    seen: set[str] = set()
    seg_start = 0
    for m in _DEFINED_TERM_RE.finditer(document_text, 0, preamble_end):
        term = (m.group("term") or m.group("bare") or "").strip()
        if term.lower().startswith("the "):
            term = term[4:]
        term = term.strip(" .,")
        segment = document_text[seg_start:m.start()]
        seg_start = m.end()
        key = term.lower()
        if not term or key in _NOT_PARTY_TERMS or key in seen:
            continue
        role = ROLE_WORDS.get(key)
        name = _legal_name(segment[-300:])
        if role is None and name is None:
            continue
        if role is None and not (_ENTITY_RE.search(segment[-300:]) or _BOLD_RE.search(segment[-300:])):
            continue
        seen.add(key)
        parties.append(Party(m.start(), m.end(), m.group(), term, role or "party", name))
    if any(p.role == "supplier" for p in parties):
        parties = [Party(p.start, p.end, p.text, p.alias, "customer", p.name)
                   if p.alias.lower() == "company" and p.role == "party" else p for p in parties]
    for m in _DEFINED_ROLE_RE.finditer(document_text):
        term = m.group("term")
        if term.lower() in seen:
            continue
        seen.add(term.lower())
        parties.append(Party(m.start(), m.end(), m.group(), term, ROLE_WORDS[term.lower()]))
    return PartyRoles(tuple(parties))


_DEFAULT_ROLES = PartyRoles()


def _role_for(subject: str | None, roles: PartyRoles) -> str | None:
    if not subject:
        return None
    if _MUTUAL_RE.search(subject):
        return "mutual"
    mentions = roles.find_role_mentions(subject)
    return mentions[-1][0] if mentions else None


def acting_parties(clause_text: str, roles: PartyRoles | None = None,
                   modalities: list[Modality] | None = None) -> list[tuple[str, str, int]]:
    """(role, modal phrase, offset) for each modal clause whose subject is a party.

    "Supplier may terminate" -> ('supplier', 'may', 0); "Either party may ..." /
    "Each party will ..." / "Neither party will ..." / "the parties" -> 'mutual';
    "The Recipient will" -> 'recipient'. A subject that is not a party ("it",
    "an independent auditor") falls back to the last party named earlier in the
    same sentence. ``roles`` defaults to the generic role words.
    """
    roles = roles or _DEFAULT_ROLES
    mods = modality(clause_text) if modalities is None else modalities
    out: list[tuple[str, str, int]] = []
    for mod in mods:
        role = _role_for(mod.subject, roles)
        if role is None:
            lo = max(0, mod.start - 300)
            cut = max(clause_text.rfind(". ", lo, mod.start), clause_text.rfind("; ", lo, mod.start),
                      clause_text.rfind("\n", lo, mod.start))
            lo = cut + 1 if cut >= 0 else lo
            before = clause_text[lo:mod.start]
            if _MUTUAL_RE.search(before) and not roles.find_role_mentions(before):
                role = "mutual"
            else:
                mentions = roles.find_role_mentions(before)
                role = mentions[-1][0] if mentions else None
        if role is not None:
            out.append((role, mod.text, mod.start))
    return out


def acting_party(clause_text: str, roles: PartyRoles | None = None) -> str | None:
    """The role of the first acting party of the clause (see ``acting_parties``), or None."""
    found = acting_parties(clause_text, roles)
    return found[0][0] if found else None
