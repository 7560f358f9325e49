"""Jurisdictions named for governing law, venue or incorporation: US states and DC,
Canadian provinces and territories, countries (ISO names and common forms) and a few
other legal systems (England and Wales, Scotland, Hong Kong, the EU, ...)."""

from __future__ import annotations

import re
from dataclasses import dataclass

US_STATES = (
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
    "Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa",
    "Kansas", "Kentucky", "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan",
    "Minnesota", "Mississippi", "Missouri", "Montana", "Nebraska", "Nevada",
    "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina",
    "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia",
    "Washington", "West Virginia", "Wisconsin", "Wyoming", "District of Columbia",
)
CANADIAN_PROVINCES = (
    "Ontario", "Quebec", "Québec", "British Columbia", "Alberta", "Manitoba", "Saskatchewan",
    "Nova Scotia", "New Brunswick", "Newfoundland and Labrador", "Newfoundland",
    "Prince Edward Island", "Northwest Territories", "Yukon", "Nunavut",
)
COUNTRIES = (
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda",
    "Argentina", "Armenia", "Aruba", "Australia", "Austria", "Azerbaijan", "Bahamas",
    "Bahrain", "Bangladesh", "Barbados", "Belarus", "Belgium", "Belize", "Benin", "Bermuda",
    "Bhutan", "Bolivia", "Bosnia and Herzegovina", "Botswana", "Brazil",
    "British Virgin Islands", "Brunei", "Bulgaria", "Burkina Faso", "Burundi", "Cambodia",
    "Cameroon", "Canada", "Cape Verde", "Cabo Verde", "Cayman Islands",
    "Central African Republic", "Chad", "Chile", "China", "Colombia", "Comoros", "Congo",
    "Democratic Republic of the Congo", "Costa Rica", "Côte d'Ivoire", "Ivory Coast",
    "Croatia", "Cuba", "Curaçao", "Cyprus", "Czech Republic", "Czechia", "Denmark",
    "Djibouti", "Dominica", "Dominican Republic", "Ecuador", "Egypt", "El Salvador",
    "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia", "Fiji", "Finland",
    "France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Gibraltar", "Greece",
    "Grenada", "Guatemala", "Guernsey", "Guinea", "Guinea-Bissau", "Guyana", "Haiti",
    "Honduras", "Hong Kong", "Hungary", "Iceland", "India", "Indonesia", "Iran", "Iraq",
    "Ireland", "Isle of Man", "Israel", "Italy", "Jamaica", "Japan", "Jersey", "Jordan",
    "Kazakhstan", "Kenya", "Kiribati", "Korea", "South Korea", "North Korea", "Kosovo",
    "Kuwait", "Kyrgyzstan", "Laos", "Latvia", "Lebanon", "Lesotho", "Liberia", "Libya",
    "Liechtenstein", "Lithuania", "Luxembourg", "Macau", "Macao", "Madagascar", "Malawi",
    "Malaysia", "Maldives", "Mali", "Malta", "Marshall Islands", "Mauritania", "Mauritius",
    "Mexico", "Micronesia", "Moldova", "Monaco", "Mongolia", "Montenegro", "Morocco",
    "Mozambique", "Myanmar", "Namibia", "Nauru", "Nepal", "Netherlands", "New Zealand",
    "Nicaragua", "Niger", "Nigeria", "North Macedonia", "Macedonia", "Norway", "Oman",
    "Pakistan", "Palau", "Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines",
    "Poland", "Portugal", "Puerto Rico", "Qatar", "Romania", "Russia", "Russian Federation",
    "Rwanda", "Saint Kitts and Nevis", "Saint Lucia", "Saint Vincent and the Grenadines",
    "Samoa", "San Marino", "Sao Tome and Principe", "Saudi Arabia", "Senegal", "Serbia",
    "Seychelles", "Sierra Leone", "Singapore", "Slovakia", "Slovenia", "Solomon Islands",
    "Somalia", "South Africa", "South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname",
    "Sweden", "Switzerland", "Syria", "Taiwan", "Tajikistan", "Tanzania", "Thailand",
    "Timor-Leste", "Togo", "Tonga", "Trinidad and Tobago", "Tunisia", "Turkey", "Türkiye",
    "Turkmenistan", "Turks and Caicos Islands", "Tuvalu", "Uganda", "Ukraine",
    "United Arab Emirates", "United Kingdom", "United States", "United States of America",
    "Uruguay", "Uzbekistan", "Vanuatu", "Vatican City", "Venezuela", "Vietnam", "Viet Nam",
    "Yemen", "Zambia", "Zimbabwe", "England and Wales", "England", "Scotland",
    "Northern Ireland", "Wales", "Great Britain", "Holland", "U.S.A.", "USA", "U.S.", "UK",
    "U.K.", "UAE", "PRC", "Virgin Islands",
)
OTHER = ("European Union", "New South Wales", "Queensland", "Western Australia",
         "Dubai International Financial Centre", "DIFC", "Abu Dhabi Global Market")

#: written form -> canonical name
ALIASES = {
    "Québec": "Quebec", "United States of America": "United States", "U.S.A.": "United States",
    "USA": "United States", "U.S.": "United States", "UK": "United Kingdom",
    "U.K.": "United Kingdom", "Great Britain": "United Kingdom", "UAE": "United Arab Emirates",
    "PRC": "China", "People's Republic of China": "China", "Russian Federation": "Russia",
    "Czechia": "Czech Republic", "Holland": "Netherlands", "Viet Nam": "Vietnam",
    "Macao": "Macau", "Cabo Verde": "Cape Verde", "Türkiye": "Turkey",
    "Ivory Coast": "Côte d'Ivoire", "Virgin Islands": "British Virgin Islands",
    "Newfoundland": "Newfoundland and Labrador", "DIFC": "Dubai International Financial Centre",
    "Washington, D.C.": "District of Columbia", "Washington D.C.": "District of Columbia",
    "Washington, DC": "District of Columbia", "D.C.": "District of Columbia",
    "South Korea": "Korea", "Republic of Korea": "Korea",
}

_KIND: dict[str, str] = {}
for _n in COUNTRIES:
    _KIND[_n.lower()] = "country"
for _n in OTHER:
    _KIND[_n.lower()] = "other"
for _n in CANADIAN_PROVINCES:
    _KIND[_n.lower()] = "province"
for _n in US_STATES + ("Washington, D.C.", "Washington D.C.", "Washington, DC", "D.C."):
    _KIND[_n.lower()] = "us_state"
_KIND["people's republic of china"] = "country"
_KIND["republic of korea"] = "country"

_CANONICAL = {n.lower(): ALIASES.get(n, n) for n in
              (*US_STATES, *CANADIAN_PROVINCES, *COUNTRIES, *OTHER, *ALIASES)}


def _trie_pattern(words: list[str]) -> str:
    """A regex alternation of ``words`` factored into a trie (fast to match)."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = []
        for ch in sorted(k for k in node if k):
            sub = build(node[ch])
            esc = r"[ \t\n]+" if ch == " " else re.escape(ch)
            branches.append(esc + sub)
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:
            return "(?:" + body + ")?"
        return body

    return build(trie)


_NAMES = sorted({k for k in _KIND}, key=len, reverse=True)
_PREFIX = (r"(?:(?i:the)[ \t\n]+)?(?:(?P<prefix>(?i:state|commonwealth|province|territory|"
           r"republic|kingdom|federal[ \t]+republic|grand[ \t]+duchy|principality|emirate|"
           r"people['’]s[ \t]+republic|islamic[ \t]+republic|united[ \t]+republic|"
           r"democratic[ \t]+republic|socialist[ \t]+republic)[ \t\n]+(?i:of))[ \t\n]+(?:(?i:the)[ \t\n]+)?)?")
_JURIS_RE = re.compile(
    rf"(?<![\w.])(?=[A-Z]|the[ \t]|The[ \t])(?P<all>{_PREFIX}(?=[A-Z])(?P<name>(?i:{_trie_pattern(_NAMES)})))(?![\w])"
)
_APOS_FIX_RE = re.compile(r"[’]")
_DC_AFTER_RE = re.compile(r",?[ \t]*D\.[ \t]?C\.|,?[ \t]*DC\b")
_COUNTRY_KEYS = frozenset(n.lower() for n in COUNTRIES)

_INCORPORATION_BEFORE_RE = re.compile(
    r"(?i)(?:organi[sz]ed|incorporated|existing|formed|registered|chartered|established|"
    r"constituted|amalgamated|continued)(?:[ \t\n]+and[ \t\n]+(?:existing|in[ \t]+good[ \t]+standing))?"
    r"[ \t\n]+(?:under|pursuant[ \t\n]+to|in[ \t\n]+accordance[ \t\n]+with)[ \t\n]+(?:the[ \t\n]+)?"
    r"laws?[ \t\n]+of[ \t\n]+(?:the[ \t\n]+)?\Z"
    r"|(?i:organi[sz]ed|incorporated|formed|registered|domiciled)[ \t\n]+in[ \t\n]+(?:the[ \t\n]+)?\Z"
)
_INCORPORATION_AFTER_RE = re.compile(
    r"(?i)[ \t\n]+(?:(?:not-for-profit|nonprofit|non-profit|public|private|general|limited|"
    r"professional|statutory|stock|business|benefit|close|nonstock|exempted)[ \t\n]+)*"
    r"(?:corporation|company|limited[ \t\n]+liability[ \t\n]+(?:company|partnership)|"
    r"limited[ \t\n]+partnership|partnership|LLC|L\.L\.C\.|LLP|LP|L\.P\.|corp\.?|"
    r"trust|entity|societ[ey]|exempted[ \t\n]+company|GmbH|AG|S\.A\.|B\.V\.|N\.V\.|plc|bank)\b"
)
_VENUE_BEFORE_RE = re.compile(
    r"(?i)(?:courts?|tribunals?|arbitration|venue|forum|jurisdiction|seat|sitting|located|"
    r"situated|held|heard|brought)[^.;]{0,60}?\b(?:of|in|within|for)[ \t\n]+(?:the[ \t\n]+)?"
    r"(?:(?:city|county)[ \t\n]+of[ \t\n]+)?(?:[A-Z][A-Za-z.]+(?:[ \t\n]+[A-Z][A-Za-z.]+)?,[ \t\n]+)?\Z"
)
_LAW_BEFORE_RE = re.compile(
    r"(?i)\blaws?[ \t\n]+(?:in[ \t\n]+force[ \t\n]+)?(?:of|in)[ \t\n]+(?:the[ \t\n]+)?\Z"
)
_LAW_AFTER_RE = re.compile(r"(?i)[ \t\n]*(?:['’]s[ \t\n]+)?(?:law|laws|statutes?)\b")
_GOVERNING_CUE_RE = re.compile(
    r"(?i)\b(?:govern(?:s|ed|ing)?|construed|construction|interpret(?:ed|ation)|enforced|"
    r"applicable[ \t\n]+law|choice[ \t\n]+of[ \t\n]+law|subject[ \t\n]+to[ \t\n]+the[ \t\n]+laws?|"
    r"in[ \t\n]+accordance[ \t\n]+with[ \t\n]+the[ \t\n]+laws?|under[ \t\n]+the[ \t\n]+laws?)\b"
)
_SENTENCE_END_RE = re.compile(r"[.;!?](?=\s+[A-Z(\"“*]|\s*\n|\s*$)|\n\s*\n")

CONTEXTS = ("governing_law", "venue", "incorporation", "other")


@dataclass(frozen=True)
class Jurisdiction:
    """A jurisdiction at ``text[start:end]`` (span includes "the State of" etc.).

    ``name`` is canonical ("New York", "England and Wales", "Seychelles"); ``kind`` one
    of us_state / country / province / other; ``context`` one of CONTEXTS, read from
    the words around it ("laws of ... govern" -> governing_law, "courts of" -> venue,
    "a Massachusetts corporation" / "organized under the laws of" -> incorporation).
    """

    start: int
    end: int
    text: str
    name: str
    kind: str
    context: str = "other"


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = max(0, start - 400)
    s = lo
    for m in _SENTENCE_END_RE.finditer(text, lo, start):
        s = m.end()
    m = _SENTENCE_END_RE.search(text, end, min(len(text), end + 400))
    e = m.start() if m else min(len(text), end + 400)
    return s, e


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 120):start]
    if _INCORPORATION_BEFORE_RE.search(before) or _INCORPORATION_AFTER_RE.match(text, end):
        return "incorporation"
    law_before = bool(_LAW_BEFORE_RE.search(before))
    law_after = bool(_LAW_AFTER_RE.match(text, end))
    if (law_before or law_after):
        s, e = _sentence_bounds(text, start, end)
        if _GOVERNING_CUE_RE.search(text, s, e) or (law_after and re.search(
                r"(?i)\bgovern", text[end:e])):
            return "governing_law"
    if _VENUE_BEFORE_RE.search(before):
        return "venue"
    return "other"


def find_jurisdictions(text: str) -> list[Jurisdiction]:
    """Find jurisdictions in ``text`` with their kind and context.

    "laws of the State of New York" -> New York (us_state, governing_law);
    "the laws of the Republic of Seychelles govern" -> Seychelles; "a Massachusetts
    corporation" -> Massachusetts (incorporation). Names must start with a capital
    letter (ALL-CAPS text is fine), so "china" or "turkey" in lower case are ignored.
    """
    out: list[Jurisdiction] = []
    for m in _JURIS_RE.finditer(text):
        raw = " ".join(m.group("name").split())
        key = _APOS_FIX_RE.sub("'", raw).lower()
        kind = _KIND.get(key)
        if kind is None:
            continue
        if not (raw[0].isupper()):
            continue
        prefix = (m.group("prefix") or "").lower()
        name = _CANONICAL.get(key, raw)
        if prefix.startswith("province") and kind != "province":
            continue
        if prefix.startswith(("republic", "kingdom", "federal", "people", "islamic",
                              "democratic", "socialist", "united")) and key in _COUNTRY_KEYS:
            kind = "country"
        dc = _DC_AFTER_RE.match(text, m.end()) if key == "washington" else None
        if dc:
            end = dc.end()
            out.append(Jurisdiction(m.start(), end, text[m.start():end], "District of Columbia",
                                    "us_state", _context(text, m.start(), end)))
            continue
        start = m.start("all")
        out.append(Jurisdiction(start, m.end(), text[start:m.end()], name, kind,
                                _context(text, start, m.end())))
    return out


def governing_law_jurisdictions(text: str, jurisdictions: list[Jurisdiction] | None = None) -> list[Jurisdiction]:
    """Jurisdictions named as governing law ("laws of X", "governed by", "X law governs",
    "construed in accordance with"); incorporation mentions ("a Delaware corporation",
    "organized under the laws of the Province of Ontario") and venues are excluded."""
    if jurisdictions is None:
        jurisdictions = find_jurisdictions(text)
    return [j for j in jurisdictions if j.context == "governing_law"]
