"""The catalog: who the parties are, what they signed, whom the processors engage, and what
the public list says.

Each rule of a model is one function in `problems` (`party_problems`, `agreement_problems`...).
The model's `clean()`, the services and the import kinds call it; the import checks because
bulk writes skip `full_clean()`. Where the database holds a rule too (`Meta.constraints`), the
constraint and its function are tested to agree.
"""

from typing import TYPE_CHECKING

from registry.models.agreements import (
    Agreement,
    AgreementParty,
    bound_party_message,
    bound_party_messages,
)
from registry.models.engagements import (
    NOT_ENGAGING_ITSELF,
    ONE_OPEN_ENGAGEMENT,
    Engagement,
)
from registry.models.parties import Party
from registry.models.problems import (
    AGREEMENT_DATE_ORDER,
    AGREEMENT_NEEDS_START,
    NOT_ENGAGED_BY_ITSELF,
    NOT_OWN_PARENT,
    ONE_OWN_COMPANY,
    RESERVED_KEYS,
    Problem,
    agreement_parties_problems,
    agreement_problems,
    ancestry_problems,
    ends_before,
    own_company_problems,
    party_problems,
    raise_problems,
    reserved_key_problems,
)
from registry.models.publications import (
    NOTICE_BEFORE_EFFECT,
    PUBLISHED_RELATIONSHIPS,
    Publication,
    PublicationChange,
)

if TYPE_CHECKING:
    from registry.models.parties import CountriesModelField, CountryModelField

__all__ = [
    "AGREEMENT_DATE_ORDER",
    "AGREEMENT_NEEDS_START",
    "NOTICE_BEFORE_EFFECT",
    "NOT_ENGAGED_BY_ITSELF",
    "NOT_ENGAGING_ITSELF",
    "NOT_OWN_PARENT",
    "ONE_OPEN_ENGAGEMENT",
    "ONE_OWN_COMPANY",
    "PUBLISHED_RELATIONSHIPS",
    "RESERVED_KEYS",
    "Agreement",
    "AgreementParty",
    "CountriesModelField",
    "CountryModelField",
    "Engagement",
    "Party",
    "Problem",
    "Publication",
    "PublicationChange",
    "agreement_parties_problems",
    "agreement_problems",
    "ancestry_problems",
    "bound_party_message",
    "bound_party_messages",
    "ends_before",
    "own_company_problems",
    "party_problems",
    "raise_problems",
    "reserved_key_problems",
]
