"""One call that runs every extractor on a clause: ``extract_clause_values``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .dates import DateValue, find_dates
from .durations import Duration, find_durations, notice_periods
from .fee_multiples import FeeMultiple, find_fee_multiples
from .jurisdictions import Jurisdiction, find_jurisdictions, governing_law_jurisdictions
from .money import Money, find_money
from .parties import PartyRoles, acting_parties
from .percentages import Percentage, find_percentages
from .polarity import Modality, modality, polarity


@dataclass(frozen=True)
class ClauseValues:
    """Everything extracted from one clause; offsets index the clause text.

    ``acting_parties`` holds (role, modal phrase, offset) tuples; ``polarity`` is
    'positive' or 'negative' for the main statement; ``amount_inconsistencies`` the
    money items whose words and figures disagree.
    """

    money: tuple[Money, ...] = ()
    durations: tuple[Duration, ...] = ()
    notice_periods: tuple[Duration, ...] = ()
    dates: tuple[DateValue, ...] = ()
    percentages: tuple[Percentage, ...] = ()
    fee_multiples: tuple[FeeMultiple, ...] = ()
    jurisdictions: tuple[Jurisdiction, ...] = ()
    governing_law_jurisdictions: tuple[Jurisdiction, ...] = ()
    modalities: tuple[Modality, ...] = ()
    acting_parties: tuple[tuple[str, str, int], ...] = ()
    polarity: str = "positive"
    amount_inconsistencies: tuple[Money, ...] = ()

    # -- numeric accessors used by rules ------------------------------------------
    @property
    def notice_days(self) -> float | None:
        """Shortest notice period in days, or None."""
        return min((d.days for d in self.notice_periods), default=None)

    @property
    def max_percent(self) -> float | None:
        """Largest percentage, or None."""
        return max((p.value for p in self.percentages), default=None)

    @property
    def min_percent(self) -> float | None:
        """Smallest percentage, or None."""
        return min((p.value for p in self.percentages), default=None)

    @property
    def max_money(self) -> Money | None:
        """The largest money amount (any currency), or None."""
        return max(self.money, key=lambda m: m.amount, default=None)

    @property
    def min_money(self) -> Money | None:
        """The smallest money amount (any currency), or None."""
        return min(self.money, key=lambda m: m.amount, default=None)

    @property
    def duration_days(self) -> list[float]:
        """Every duration's length in days, in text order."""
        return [d.days for d in self.durations]

    @property
    def fee_multiple(self) -> float | None:
        """Largest multiple of fees ("two times the fees" -> 2.0), or None."""
        return max((f.multiple for f in self.fee_multiples if f.multiple is not None), default=None)

    @property
    def months_of_fees(self) -> float | None:
        """Largest months-of-fees cap ("fees paid in the 12 months before" -> 12), or None."""
        return max((f.months_of_fees for f in self.fee_multiples if f.months_of_fees is not None),
                   default=None)

    @property
    def jurisdiction_names(self) -> list[str]:
        """Distinct jurisdiction names in text order."""
        return list(dict.fromkeys(j.name for j in self.jurisdictions))

    def as_dict(self) -> dict:
        """JSON-safe dict with compact keys (amounts as strings, dates ISO, spans [start, end])."""

        def span(x) -> list[int]:
            return [x.start, x.end]

        def dec(v: Decimal | None) -> str | None:
            return None if v is None else format(v.normalize(), "f")

        def money(m: Money) -> dict:
            d = {"amount": dec(m.amount), "cur": m.currency, "span": span(m), "text": m.text}
            if m.words_amount is not None:
                d["words"] = dec(m.words_amount)
            if m.inconsistent:
                d["inconsistent"] = True
            return d

        def dur(d: Duration) -> dict:
            return {"value": d.value, "unit": d.unit, "days": d.days, "span": span(d), "text": d.text}

        return {
            "money": [money(m) for m in self.money],
            "durations": [dur(d) for d in self.durations],
            "notice": [dur(d) for d in self.notice_periods],
            "dates": [{"date": d.date.isoformat(), "span": span(d), "text": d.text} for d in self.dates],
            "pct": [{"value": p.value, "per": p.period, "span": span(p), "text": p.text}
                    for p in self.percentages],
            "fee_multiples": [{"multiple": f.multiple, "months": f.months_of_fees, "basis": f.basis,
                               "span": span(f), "text": f.text} for f in self.fee_multiples],
            "jurisdictions": [{"name": j.name, "kind": j.kind, "ctx": j.context, "span": span(j),
                               "text": j.text} for j in self.jurisdictions],
            "governing_law": [j.name for j in self.governing_law_jurisdictions],
            "acting": [{"role": r, "modal": mp, "at": at} for r, mp, at in self.acting_parties],
            "polarity": self.polarity,
            "inconsistencies": [money(m) for m in self.amount_inconsistencies],
        }


def extract_clause_values(text: str, roles: PartyRoles | None = None) -> ClauseValues:
    """Run every extractor on one clause and return the values found.

    ``roles`` (from ``find_party_roles`` on the whole document) lets defined names
    ("Lakeshore") resolve to roles; without it the generic role words are used.
    """
    money = find_money(text)
    durations = find_durations(text)
    juris = find_jurisdictions(text)
    mods = modality(text)
    return ClauseValues(
        money=tuple(money),
        durations=tuple(durations),
        notice_periods=tuple(notice_periods(text, durations)),
        dates=tuple(find_dates(text)),
        percentages=tuple(find_percentages(text)),
        fee_multiples=tuple(find_fee_multiples(text)),
        jurisdictions=tuple(juris),
        governing_law_jurisdictions=tuple(governing_law_jurisdictions(text, juris)),
        modalities=tuple(mods),
        acting_parties=tuple(acting_parties(text, roles, mods)),
        polarity=polarity(text, modalities=mods),
        amount_inconsistencies=tuple(m for m in money if m.inconsistent),
    )


def find_amount_inconsistencies(document_text: str) -> list[Money]:
    """Money amounts anywhere in the document whose words disagree with their figures
    ("two million dollars ($1,500,000)")."""
    return [m for m in find_money(document_text) if m.inconsistent]
