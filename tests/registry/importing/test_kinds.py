"""The map of kinds: each app registers its own, and import and export read the same one."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from registry.importing.engine import (
    Kind,
    exporter_named,
    kind_named,
    kind_names,
    records_import,
    register_kind,
)
from registry.kinds import PartyKind
from registry.resources import PartyResource, RegisterResource

NAMES = ("parties", "agreements", "engagements", "flows", "categories", "purposes")


def test_every_app_has_registered_its_kinds_under_the_command_line_names():
    assert kind_names() == NAMES
    assert [kind_named(name).name for name in NAMES] == list(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_export_of_a_kind_writes_the_columns_its_import_reads(name):
    resource = exporter_named(name)
    # The engine promises only an Exporter; every app registers a RegisterResource.
    assert isinstance(resource, RegisterResource)
    assert resource.kind is kind_named(name)
    assert resource.get_export_headers() == list(kind_named(name).column_names())
    assert tuple(resource._meta.import_id_fields) == (kind_named(name).key,)


def test_a_second_kind_under_a_taken_name_is_refused():
    class Impostor(Kind):
        name = "parties"

    with pytest.raises(ImproperlyConfigured, match="Two import kinds are named 'parties'"):
        register_kind(Impostor, exporter=PartyResource)
    assert kind_named("parties") is PartyKind


def test_registering_the_same_kind_again_changes_nothing():
    register_kind(PartyKind, exporter=PartyResource)
    assert kind_names() == NAMES


def test_an_unknown_kind_is_named_with_the_known_ones():
    with pytest.raises(LookupError, match="no import kind 'vendors'; the kinds are parties, "):
        records_import(kind="vendors", filename="a.csv", data=b"slug\nacme\n")
