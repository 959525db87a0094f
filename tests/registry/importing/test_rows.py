"""Every bad row is named (line, column, value, why) and a file with one writes nothing."""

from datetime import date

import pytest

from flows.models import Flow
from registry.models import Agreement, Party
from tests.factories import make_user
from tests.registry.importing.import_helpers import PARTY_HEADER, messages, run_import, seed_parties

pytestmark = pytest.mark.django_db

FLOW_HEADER = "source,target,categories,purpose,role,started_on"


def test_a_missing_required_column_is_named():
    report = run_import("parties", "slug,name,country\nacme,Acme,US\n")
    assert messages(report) == ["line 1, column relationship: the required column "
                                "'relationship' is missing"]  # fmt: skip


def test_an_unknown_column_is_a_warning_and_is_ignored():
    report = run_import("parties", PARTY_HEADER + ",Favourite colour\nacme,Acme,own,US,blue\n")
    assert report.ok
    assert report.warnings[0].startswith("Column 'favourite_colour' is not a parties column")
    assert Party.objects.get().slug == "acme"


def test_an_unknown_reference_suggests_the_close_one():
    seed_parties()
    report = run_import(
        "flows", FLOW_HEADER + "\nacme,acme-hosting,user.contact.email,essential.service,"
        "processor,2020-01-01\n",
    )  # fmt: skip
    assert messages(report) == [
        "line 2, column target: unknown party 'acme-hosting' in column target; "
        "did you mean 'acme-hosting-inc'?"
    ]
    assert not Flow.objects.exists()


def test_countries_are_read_from_codes_and_english_names_in_any_case():
    report = run_import(
        "parties",
        "slug,name,relationship,country,processing_countries\n"
        'a,A,processor,germany,"United States;UK;fr"\nb,B,processor,de,\n',
    )
    assert report.ok, messages(report)
    a = Party.objects.get(slug="a")
    assert a.country.code == "DE"
    assert [c.code for c in a.processing_countries] == ["FR", "GB", "US"]


def test_an_unknown_country_is_an_error_with_a_suggestion():
    report = run_import("parties", PARTY_HEADER + "\nacme,Acme,own,Germny\n")
    (message,) = messages(report)
    assert message.startswith("line 2, column country: 'Germny' is not a known country.")
    assert "Did you mean 'Germany'" in message and message.endswith("or an English name")


def test_a_bad_date_says_how_to_write_one():
    report = run_import("parties", PARTY_HEADER + ",pci_attested_on\nacme,Acme,own,US,1/2/2020\n")
    assert messages(report) == [
        "line 2, column pci_attested_on: '1/2/2020' is not a date; write it as YYYY-MM-DD, "
        "e.g. 2015-10-06"
    ]


def test_an_unknown_enum_value_lists_the_allowed_ones():
    report = run_import("parties", PARTY_HEADER + "\nacme,Acme,vendor,US\n")
    (message,) = messages(report)
    assert message.startswith("line 2, column relationship: 'vendor' is not a known relationship.")
    assert "Allowed: own, affiliate, processor, subprocessor, third_party, joint_controller" in (
        message
    )


def test_every_bad_row_is_reported_and_nothing_is_written():
    report = run_import(
        "parties", PARTY_HEADER + "\ngood,Good,processor,US\nbad one,Bad,processor,US\n"
        "worse,,processor,Atlantis\n",
    )  # fmt: skip
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "slug"), (4, "country"), (4, "name"),
    ]  # fmt: skip
    assert not Party.objects.exists()


def test_a_duplicate_natural_key_in_the_file_names_both_lines():
    report = run_import("parties", PARTY_HEADER + "\nacme,Acme,own,US\nacme,Acme 2,processor,US\n")
    assert messages(report) == [
        "line 3, column slug: 'acme' is already on line 2; each slug may appear once in a file"
    ]


def test_a_party_cannot_be_its_own_parent():
    report = run_import("parties", PARTY_HEADER + ",parent\nacme,Acme,own,US,acme\n")
    assert messages(report) == ["line 2, column parent: a party cannot be its own parent"]


def test_a_longer_parent_cycle_is_shown_as_a_path():
    seed_parties()
    report = run_import(
        "parties",
        PARTY_HEADER + ",parent\nx,X,affiliate,US,y\ny,Y,affiliate,US,z\nz,Z,affiliate,US,x\n",
    )
    assert "(x → y → z → x)" in messages(report)[0]
    assert len(report.errors) == 3
    assert not Party.objects.filter(slug="x").exists()


def test_a_cycle_through_parties_already_in_the_register_is_found():
    run_import("parties", PARTY_HEADER + ",parent\nx,X,affiliate,US,\ny,Y,affiliate,US,x\n")
    report = run_import("parties", PARTY_HEADER + ",parent\nx,X,affiliate,US,y\n")
    assert messages(report) == [
        "line 2, column parent: the parent 'y' would make 'x' its own ancestor (x → y → x)"
    ]


def test_a_subprocessor_is_imported_without_naming_who_engages_it():
    # Who engages it is an engagement (the engagements kind, or the engaged_by column); a
    # missing one is a finding, not a refused row.
    report = run_import("parties", PARTY_HEADER + "\nsub,Sub,subprocessor,US\n")
    assert report.ok and report.new == 1


def test_only_one_own_company():
    seed_parties()
    report = run_import("parties", PARTY_HEADER + "\nother,Other,own,US\n")
    assert messages(report) == [
        "line 2, column relationship: there can be only one own company; 'acme' is one too"
    ]


def test_a_flow_from_a_party_to_itself_is_refused():
    seed_parties()
    report = run_import(
        "flows", FLOW_HEADER + "\nacme,acme,user.contact.email,essential.service,processor,"
        "2020-01-01\n",
    )  # fmt: skip
    assert messages(report) == [
        "line 2, column target: a flow cannot go from a party to itself ('acme')"
    ]


def test_a_flow_cannot_end_before_it_starts():
    seed_parties()
    report = run_import(
        "flows", FLOW_HEADER + ",ended_on\nacme,cloudy,user.contact.email,essential.service,"
        "processor,2020-01-01,2019-12-31\n",
    )  # fmt: skip
    assert messages(report) == [
        "line 2, column ended_on: a flow cannot end (2019-12-31) before it starts (2020-01-01)"
    ]


def test_an_agreement_cannot_expire_before_it_is_signed():
    seed_parties()
    report = run_import(
        "agreements",
        "reference,kind,parties,signed_on,expires_on,flowdown\n"
        "dpa-1,dpa,acme;cloudy,2020-01-01,2019-01-01,yes\n",
    )
    assert messages(report) == [
        "line 2, column expires_on: an agreement cannot expire before it is signed "
        "(expires_on 2019-01-01 is before signed_on 2020-01-01)"
    ]


def test_an_agreement_needs_two_parties_and_a_start_date():
    seed_parties()
    report = run_import("agreements", "reference,kind,parties\ndpa-1,dpa,acme\n")
    assert [e.column for e in report.errors] == ["parties", "signed_on"]


def test_agreements_read_booleans_lists_and_dates():
    seed_parties()
    report = run_import(
        "agreements",
        "Reference,Kind,Parties,Signed_on,Categories,Flowdown,Subprocessor_authorisation\n"
        "dpa-1,DPA,acme; cloudy,2020-01-01,user.contact.email;user.name,Yes,general\n"
        "dpa-2,dpa,acme;cloudy,2020-01-01,,0,\n",
    )
    assert report.ok, messages(report)
    one, two = Agreement.objects.order_by("reference")
    assert (one.kind, one.flowdown, one.subprocessor_authorisation) == ("dpa", True, "general")
    assert sorted(one.parties.values_list("slug", flat=True)) == ["acme", "cloudy"]
    assert sorted(one.categories.values_list("key", flat=True)) == ["user.contact.email",
                                                                     "user.name"]  # fmt: skip
    assert (two.flowdown, two.subprocessor_authorisation) == (False, "none")
    assert one.signed_on == date(2020, 1, 1)


def test_reimporting_the_same_file_changes_nothing_and_says_so():
    seed_parties()
    text = (
        FLOW_HEADER + "\nacme,cloudy,user.contact.email;user.name,essential.service,processor,"
        "2020-01-01\nacme,acme-hosting-inc,user.name,essential.service,processor,2020-01-01\n"
    )
    first = run_import("flows", text)
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    history = Flow.history.count()
    again = run_import("flows", text)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert again.summary() == "Nothing changed: all 2 flows rows already match the register."
    assert Flow.history.count() == history


def test_a_changed_file_updates_by_natural_key_and_counts():
    seed_parties()
    report = run_import(
        "parties", PARTY_HEADER + ",legal_name\nacme,Acme,own,US,\ncloudy,Cloudy,processor,US,"
        "Cloudy LLC\nnew-one,New One,processor,FR,\n",
    )  # fmt: skip
    assert (report.new, report.updated, report.unchanged, report.deleted) == (1, 1, 1, 0)
    assert "1 new, 1 updated, 1 unchanged, 0 deleted" in report.summary()
    assert Party.objects.get(slug="cloudy").legal_name == "Cloudy LLC"
    assert Party.objects.get(slug="acme-hosting-inc").country.code == "DE"  # not in the file


def test_imported_rows_have_history_with_who_and_why():
    user = make_user("importer")
    run_import("parties", PARTY_HEADER + "\nacme,Acme,own,US\n", user=user)
    run_import("parties", PARTY_HEADER + "\nacme,Acme Inc,own,US\n", user=user)
    rows = Party.history.filter(slug="acme").order_by("history_id")
    assert [(h.history_type, h.name, h.history_change_reason) for h in rows] == [
        ("+", "Acme", "import"), ("~", "Acme Inc", "import"),
    ]  # fmt: skip
    assert {h.history_user for h in rows} == {user}


def test_a_changed_category_set_updates_the_flow_links():
    seed_parties()
    head = "reference," + FLOW_HEADER + "\nf-1,acme,cloudy,"
    run_import("flows", head + "user.name,essential.service,processor,2020-01-01\n")
    report = run_import(
        "flows", head + "user.name;user.contact.email,essential.service,processor,2020-01-01\n"
    )
    assert (report.new, report.updated) == (0, 1)
    flow = Flow.objects.get(reference="f-1")
    assert sorted(flow.categories.values_list("key", flat=True)) == [
        "user.contact.email", "user.name",
    ]  # fmt: skip


def test_a_dry_run_counts_but_writes_nothing():
    report = run_import("parties", PARTY_HEADER + "\nacme,Acme,own,US\n", dry_run=True)
    assert (report.new, report.dry_run) == (1, True)
    assert "dry run" in report.summary()
    assert not Party.objects.exists()


def test_parents_named_later_in_the_same_file_are_resolved():
    report = run_import(
        "parties", PARTY_HEADER + ",parent,engaged_by\nsub,Sub,subprocessor,US,,proc\n"
        "proc,Proc,processor,US,group,\ngroup,Group,own,US,,\n",
    )  # fmt: skip
    assert report.ok, messages(report)
    engagers = Party.objects.get(slug="sub").engagements.values_list("processor__slug", flat=True)
    parent = Party.objects.get(slug="proc").parent
    assert list(engagers) == ["proc"]
    assert parent is not None and parent.slug == "group"


def test_an_update_keeps_the_columns_the_file_does_not_have():
    run_import(
        "parties",
        PARTY_HEADER
        + ',processing_countries,pci_attested_on\nacme,Acme,own,US,"DE;US",2024-05-01\n',
    )
    report = run_import("parties", PARTY_HEADER + "\nacme,Acme Inc,own,US\n")
    assert report.updated == 1
    acme = Party.objects.get(slug="acme")
    assert acme.name == "Acme Inc"
    assert [c.code for c in acme.processing_countries] == ["DE", "US"]
    assert acme.pci_attested_on == date(2024, 5, 1)


def test_a_flow_whose_categories_cell_lists_none_is_refused():
    seed_parties()
    report = run_import(
        "flows", FLOW_HEADER + "\nacme,cloudy,;,essential.service,processor,2020-01-01\n"
    )
    assert messages(report) == [
        "line 2, column categories: a flow carries at least one data category; "
        "list them separated by ';'"
    ]
    assert not Flow.objects.exists()


def test_a_party_cannot_engage_itself():
    report = run_import("parties", PARTY_HEADER + ",engaged_by\nsub,Sub,subprocessor,US,sub\n")
    assert messages(report) == ["line 2, column engaged_by: a processor cannot engage itself"]


def test_a_new_key_that_is_the_address_of_a_page_is_refused():
    report = run_import("parties", PARTY_HEADER + "\nnew,New Vendor,processor,DE\n")
    assert not report.ok
    assert any("the slug 'new' is the address of a page" in m for m in messages(report))
    seed_parties()
    report = run_import(
        "agreements",
        "reference,kind,parties,signed_on\nsearch,dpa,acme;cloudy,2024-01-01\n",
    )
    assert any("the reference 'search' is the address of a page" in m for m in messages(report))
