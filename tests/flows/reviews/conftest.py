"""A small register for legal review: one critical finding (a transfer to the US with no
mechanism), one high (a flow inside the EEA with no agreement), and the people who act on
them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from flows.models import Flow
from tests.factories import make_agreement, make_flow, make_own_party, make_party, make_user

CRITICAL = "NO_TRANSFER_MECHANISM"
HIGH = "NO_AGREEMENT"


@dataclass
class Small:
    transfer: Flow
    """DE -> US under a DPA, no transfer mechanism: NO_TRANSFER_MECHANISM, critical."""
    local: Flow
    """DE -> DE with no agreement: NO_AGREEMENT, high."""


@pytest.fixture
def small(db) -> Small:
    own = make_own_party("voipx", name="VoIPX Europe", country="DE")
    cloud = make_party("cloudy", name="Cloudy Inc", country="US")
    make_agreement([own, cloud], reference="dpa-cloudy")
    local = make_party("mailhaus", name="Mailhaus GmbH", country="DE")
    return Small(
        transfer=make_flow(own, cloud, reference="de-to-cloudy"),
        local=make_flow(own, local, reference="de-to-mailhaus"),
    )


@pytest.fixture
def rachel(db):
    return make_user(
        "rachel", role="reviewer", first_name="Rachel", last_name="Reviewer",
        email="rachel@voipx.example",
    )  # fmt: skip


@pytest.fixture
def sam(db):
    return make_user(
        "sam", role="reviewer", first_name="Sam", last_name="Second", email="sam@voipx.example"
    )


@pytest.fixture
def eddie(db):
    return make_user(
        "eddie", role="editor", first_name="Eddie", last_name="Editor", email="eddie@voipx.example"
    )
