"""Value extractors for contract clause text (pure Python + ``re``).

Every extracted item is a frozen dataclass with ``start``/``end`` offsets into the
text given and the matched ``text``. ``extract_clause_values`` runs them all.
"""

from .clause_values import ClauseValues, extract_clause_values, find_amount_inconsistencies
from .dates import DateValue, find_dates
from .durations import Duration, find_durations, notice_periods
from .fee_multiples import FeeMultiple, find_fee_multiples
from .jurisdictions import Jurisdiction, find_jurisdictions, governing_law_jurisdictions
from .money import Money, find_money, parse_figure
from .numbers_in_words import NumberWords, find_number_words, parse_number_words
from .parties import Party, PartyRoles, acting_parties, acting_party, find_party_roles
from .percentages import Percentage, find_percentages
from .polarity import Modality, modality, polarity

__all__ = [
    "ClauseValues", "DateValue", "Duration", "FeeMultiple", "Jurisdiction", "Modality",
    "Money", "NumberWords", "Party", "PartyRoles", "Percentage", "acting_parties",
    "acting_party", "extract_clause_values", "find_amount_inconsistencies", "find_dates",
    "find_durations", "find_fee_multiples", "find_jurisdictions", "find_money",
    "find_number_words", "find_party_roles", "find_percentages", "governing_law_jurisdictions",
    "modality", "notice_periods", "parse_figure", "parse_number_words", "polarity",
]
