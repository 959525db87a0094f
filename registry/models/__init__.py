"""The catalog: who the parties are, what they signed, whom the processors engage, and what
the public list says.

Each rule of a model is one function in `problems` (`engagement_problems`, `agreement_problems`...).
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
from registry.models.engagements import Engagement
from registry.models.parties import Party
from registry.models.problems import (
    AGREEMENT_DATE_ORDER,
    AGREEMENT_NEEDS_START,
    ENDS_BEFORE_NOTICE,
    NOT_ENGAGING_ITSELF,
    NOT_OWN_PARENT,
    ONE_OPEN_ENGAGEMENT,
    ONE_OWN_COMPANY,
    RESERVED_KEYS,
    SCC_2021_KINDS,
    Problem,
    agreement_parties_problems,
    agreement_problems,
    amendment_problems,
    ancestry_problems,
    ends_before,
    engagement_problems,
    own_company_problems,
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
    "ENDS_BEFORE_NOTICE",
    "NOTICE_BEFORE_EFFECT",
    "NOT_ENGAGING_ITSELF",
    "NOT_OWN_PARENT",
    "ONE_OPEN_ENGAGEMENT",
    "ONE_OWN_COMPANY",
    "PUBLISHED_RELATIONSHIPS",
    "RESERVED_KEYS",
    "SCC_2021_KINDS",
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
    "amendment_problems",
    "ancestry_problems",
    "bound_party_message",
    "bound_party_messages",
    "ends_before",
    "engagement_problems",
    "own_company_problems",
    "raise_problems",
    "reserved_key_problems",
]
