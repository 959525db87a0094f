"""Findings' messages name what people read: categories and purposes by their names, lawful
bases in words, parties by name; the finding keeps the keys for filters and exports."""

from __future__ import annotations

from dataclasses import replace

from flows.engine.records import Register
from tests.flows.engine.record_builders import (
    AD_SALE,
    EMAIL,
    PHONE,
    SERVICE,
    flow,
    register,
    the,
)


def named(reg: Register) -> Register:
    categories = dict(reg.categories)
    categories[EMAIL] = replace(categories[EMAIL], name="Email address")
    categories[PHONE] = replace(categories[PHONE], name="Phone number")
    purposes = dict(reg.purposes)
    purposes[SERVICE] = replace(purposes[SERVICE], name="Provide the service")
    purposes[AD_SALE] = replace(purposes[AD_SALE], name="Third-party advertising")
    return replace(reg, categories=categories, purposes=purposes)


def test_an_agreement_finding_names_the_categories_and_keeps_their_keys():
    reg = named(register([flow(1, "acme", "cloudco", categories=(PHONE, EMAIL))]))
    found = the(reg, "NO_AGREEMENT")
    assert "the flow of Email address, Phone number to CloudCo Hosting as processor" in (
        found.message
    )
    assert "user.contact" not in found.message
    assert found.categories == (EMAIL, PHONE)


def test_a_missing_basis_names_the_purpose():
    reg = named(register([flow(1, "acme", "cloudco", lawful_basis="")]))
    assert "(purpose: Provide the service)" in the(reg, "NO_LAWFUL_BASIS").message


def test_a_sale_names_the_purpose_and_the_basis_in_words():
    sale = flow(1, "acme", "partner", role="controller", purpose=AD_SALE,
                lawful_basis="legitimate_interests")  # fmt: skip
    found = the(named(register([sale])), "SALE_OR_SHARE_WITHOUT_CONSENT")
    assert found.message.startswith("The purpose “Third-party advertising” sells or shares")
    assert "rests on the lawful basis of legitimate interests (Art. 6(1)(f))" in found.message
