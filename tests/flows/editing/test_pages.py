"""The edit pages as each role sees them: who may open them, what a check shows, what a
confirmation saves, what each refusal says."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from flows.editing.views import check_token
from flows.models import Flow
from registry.models import Agreement, Party
from registry.services import party_upsert, record_version
from tests.factories import make_agreement, make_flow, make_party, make_user

pytestmark = pytest.mark.django_db

EMAIL = "user.contact.email"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _text(response) -> str:
    """The page's text without tags, spaces collapsed."""
    body = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _found(pattern: str, body: str) -> str:
    match = re.search(pattern, body)
    assert match, pattern
    return match.group(1)


def _confirm(client, url, data):
    """The check, then the confirmation with its token, as the page's two buttons do."""
    checked = client.post(url, data)
    assert checked.status_code == 200
    token = re.search(r'name="confirm" value="([0-9a-f]+)"', checked.content.decode())
    assert token, _text(checked)[:2000]
    return checked, client.post(url, {**data, "confirm": token.group(1)})


def _flow_data(**extra):
    data = {
        "source": "voipx",
        "target": "acme",
        "categories": [EMAIL],
        "purpose": "essential.service",
        "role": "processor",
        "lawful_basis": "contract",
        "started_on": "2024-01-01",
    }
    data.update(extra)
    return data


@pytest.fixture
def flow(voipx, acme):
    make_agreement([voipx, acme], reference="dpa-acme")
    return make_flow(voipx, acme, reference="tickets")


@pytest.fixture
def agreement(voipx, acme):
    return make_agreement([voipx, acme], reference="dpa-acme")


def _pages(flow, agreement):
    return [
        "/parties/new/",
        "/parties/acme/edit/",
        "/parties/acme/offboard/",
        "/agreements/new/",
        f"/agreements/{agreement.reference}/edit/",
        f"/agreements/{agreement.reference}/terminate/",
        "/flows/new/",
        f"/flows/{flow.pk}/edit/",
        f"/flows/{flow.pk}/end/",
    ]


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_viewers_and_reviewers_are_refused_every_edit_page(client, voipx, acme, role):
    agreement = make_agreement([voipx, acme], reference="dpa-acme")
    flow = make_flow(voipx, acme)
    client.force_login(make_user(role, role=role))
    for url in _pages(flow, agreement):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "may not edit the register" in _text(refused)
        assert client.post(url, {}).status_code == 403


def test_a_visitor_is_sent_to_log_in(client, voipx, acme):
    response = client.get("/flows/new/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_open_every_edit_page(client, voipx, acme, role):
    agreement = make_agreement([voipx, acme], reference="dpa-acme")
    flow = make_flow(voipx, acme)
    client.force_login(make_user(role, role=role))
    for url in _pages(flow, agreement):
        assert client.get(url).status_code == 200, url


def test_the_links_show_to_editors_only(client, editor_client, voipx, acme, flow):
    agreement = Agreement.objects.get(reference="dpa-acme")
    pages = {
        "/parties/": ["Add a party"],
        "/parties/acme/": ["Edit", "Offboard"],
        "/agreements/": ["Add an agreement"],
        f"/agreements/{agreement.reference}/": ["Edit", "Terminate"],
        "/flows/": ["Add a flow"],
        f"/flows/{flow.pk}/": ["Edit", "End the flow"],
    }
    for url, links in pages.items():
        body = editor_client.get(url).content.decode()
        for link in links:
            assert f">{link}</a>" in body, (url, link)
    client.force_login(make_user("viewer", role="viewer"))
    for url in pages:
        body = client.get(url).content.decode()
        assert 'class="edit-actions"' not in body, url


def test_adding_a_flow_that_breaks_a_rule_shows_the_prediction_then_saves(
    editor_client, voipx, acme, agreement
):
    checked, saved = _confirm(editor_client, "/flows/new/", _flow_data())
    page = _text(checked)
    assert (
        "Saving adds 1 critical: NO_TRANSFER_MECHANISM on VoIPX Europe → Acme Support (IN)." in page
    )
    assert "Restricted transfer with no transfer mechanism" in page
    flow = Flow.objects.get()
    assert saved.status_code == 302 and saved.url == f"/flows/{flow.pk}/"
    assert flow.reference == "voipx-to-acme-essential-service"
    assert flow.history.count() == 1
    assert flow.history.get().history_user.username == "editor"
    findings = _text(editor_client.get("/findings/?rule=NO_TRANSFER_MECHANISM"))
    assert "VoIPX Europe → Acme Support" in findings


def test_parties_typed_by_name_without_the_script_are_found(editor_client, voipx, acme):
    checked, saved = _confirm(
        editor_client, "/flows/new/", _flow_data(source="VoIPX Europe", target="acme support")
    )
    assert "Saving adds 1 critical" in _text(checked)
    flow = Flow.objects.get()
    assert (flow.source, flow.target) == (voipx, acme)


def test_a_check_saves_nothing(editor_client, voipx, acme):
    editor_client.post("/flows/new/", _flow_data())
    assert not Flow.objects.exists()


def test_a_confirmation_of_other_data_is_checked_again_not_saved(editor_client, voipx, acme):
    checked = editor_client.post("/flows/new/", _flow_data())
    token = _found(r'name="confirm" value="([0-9a-f]+)"', checked.content.decode())
    changed = editor_client.post("/flows/new/", {**_flow_data(lawful_basis=""), "confirm": token})
    assert changed.status_code == 200
    assert "NO_LAWFUL_BASIS" in _text(changed)
    assert not Flow.objects.exists()


def test_a_fix_of_a_flow_is_predicted_to_clear_its_finding(editor_client, flow):
    url = f"/flows/{flow.pk}/edit/"
    version = record_version(flow)
    checked, saved = _confirm(
        editor_client,
        url,
        _flow_data(
            started_on="2020-01-01",
            transfer_mechanism="derogation",
            version=version,
        ),
    )
    assert "clears 1 critical: NO_TRANSFER_MECHANISM on VoIPX Europe → Acme Support (IN)" in (
        _text(checked)
    )
    assert saved.status_code == 302
    flow.refresh_from_db()
    assert flow.transfer_mechanism == "derogation"
    assert flow.history.count() == 2


def test_the_flow_form_has_no_proposed_field(editor_client, flow):
    for url in ("/flows/new/", f"/flows/{flow.pk}/edit/"):
        assert 'name="proposed"' not in editor_client.get(url).content.decode()


def test_the_transfer_agreement_is_picked_from_the_transfer_tools_naming_both_first(
    editor_client, flow, voipx, acme
):
    other = make_party("other-vendor", name="Other Vendor")
    make_agreement([voipx, other], "a-scc-other", kind="scc_2021_m2")
    make_agreement([voipx, acme], "z-scc-acme", kind="scc_2021_m2")
    make_agreement([voipx, acme], "dpa-not-a-tool", kind="dpa")
    page = editor_client.get(f"/flows/{flow.pk}/edit/").content.decode()
    options = re.findall(r'<option value="([^"]+)">([^<]*)</option>', page.split("<datalist")[1])
    assert options[:2] == [
        ("z-scc-acme", "SCCs 2021, module 2 (controller to processor): Acme Support, VoIPX Europe"),
        (
            "a-scc-other",
            "SCCs 2021, module 2 (controller to processor): Other Vendor, VoIPX Europe",
        ),
    ]
    assert "dpa-not-a-tool" not in {reference for reference, _ in options}


def test_a_proposed_flow_is_not_edited_here(editor_client, flow):
    Flow.objects.filter(pk=flow.pk).update(proposed=True)
    assert editor_client.get(f"/flows/{flow.pk}/edit/").status_code == 404


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        (_flow_data(target="voipx"), "A flow cannot go from a party to itself."),
        (_flow_data(target="nobody"), "No party is named “nobody”."),
        (_flow_data(categories=[]), "This field is required."),
        (_flow_data(ended_on="2023-01-01"), "A flow cannot end before it starts."),
        (
            _flow_data(transfer_agreement="no-such"),
            "No agreement has this reference.",
        ),
    ],
)
def test_the_flow_form_says_what_is_wrong(editor_client, voipx, acme, data, field_message):
    response = editor_client.post("/flows/new/", data)
    assert response.status_code == 200
    assert field_message in _text(response)
    assert 'name="confirm"' not in response.content.decode()
    assert not Flow.objects.exists()


def test_a_new_party_has_no_status_field_and_a_processor_waits_for_review(editor_client, voipx):
    form = editor_client.get("/parties/new/").content.decode()
    assert 'name="status"' not in form
    data = {"name": "Mailer Inc", "relationship": "processor", "country": "US"}
    checked, saved = _confirm(editor_client, "/parties/new/", data)
    assert "Saving adds no finding and clears none." in _text(checked)
    party = Party.objects.get(slug="mailer-inc")
    assert saved.url == "/parties/mailer-inc/"
    assert party.status == "submitted"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "new", "name": "New", "relationship": "processor", "country": "US"},
         "“new” is the address of a page; choose another slug for the party."),
        ({"slug": "acme", "name": "Acme", "relationship": "processor", "country": "US"},
         "A party with the slug “acme” exists already."),
        ({"name": "Cloud", "relationship": "processor", "country": "XX"},
         "Select a valid choice. XX is not one of the available choices."),
        ({"name": "", "relationship": "processor", "country": "US"}, "This field is required."),
    ],
)  # fmt: skip
def test_the_party_form_says_what_is_wrong(editor_client, acme, data, message):
    count = Party.objects.count()
    response = editor_client.post("/parties/new/", data)
    assert message in _text(response)
    assert Party.objects.count() == count


def test_editing_a_party_keeps_its_slug_and_status(editor_client, acme):
    Party.objects.filter(pk=acme.pk).update(status="approved")
    data = {"name": "Acme Help", "relationship": "processor", "country": "IN"}
    data["version"] = str(record_version(acme))
    _, saved = _confirm(editor_client, "/parties/acme/edit/", data)
    assert saved.url == "/parties/acme/"
    acme.refresh_from_db()
    assert (acme.slug, acme.name, acme.status) == ("acme", "Acme Help", "approved")
    assert acme.history.count() == 2


def test_a_second_editor_is_refused_with_what_the_first_changed(client, editor_client, acme):
    form = editor_client.get("/parties/acme/edit/").content.decode()
    version = _found(r'name="version" value="(\d+)"', form)
    first = make_user("first", role="editor", first_name="Fiona", last_name="First")
    client.force_login(first)
    _confirm(client, "/parties/acme/edit/", {
        "name": "Acme Help", "relationship": "processor", "country": "DE", "version": version,
    })  # fmt: skip
    mine = {
        "name": "Acme Support Ltd",
        "legal_name": "Acme Support Private Limited",
        "relationship": "processor",
        "country": "IN",
        "version": version,
    }
    refused = editor_client.post("/parties/acme/edit/", mine)
    page = _text(refused)
    assert "Someone else saved this record after you opened it" in page
    assert "Fiona First" in page
    assert "Name: Acme Support → Acme Help" in page
    assert "Country of establishment: India → Germany" in page
    body = refused.content.decode()
    assert 'value="Acme Support Private Limited"' in body  # nothing typed is lost
    assert 'name="confirm"' not in body
    assert Party.objects.get(pk=acme.pk).name == "Acme Help"
    # Based on the latest version now: checking and confirming again keeps their values.
    newest = _found(r'name="version" value="(\d+)"', body)
    assert int(newest) == record_version(acme)
    _, saved = _confirm(editor_client, "/parties/acme/edit/", {**mine, "version": newest})
    assert saved.status_code == 302
    assert Party.objects.get(pk=acme.pk).name == "Acme Support Ltd"


def test_a_conflict_found_at_confirmation_is_refused_too(editor_client, acme):
    data = {"name": "Mine", "relationship": "processor", "country": "IN"}
    data["version"] = str(record_version(acme))
    checked = editor_client.post("/parties/acme/edit/", data)
    token = _found(r'name="confirm" value="([0-9a-f]+)"', checked.content.decode())
    party_upsert(slug="acme", name="Theirs", relationship="processor", country="IN")
    refused = editor_client.post("/parties/acme/edit/", {**data, "confirm": token})
    assert "Name: Acme Support → Theirs" in _text(refused)
    assert Party.objects.get(pk=acme.pk).name == "Theirs"


def test_offboarding_a_party_is_predicted_then_ends_its_flows(editor_client, flow):
    today = date.today().isoformat()
    acme = Party.objects.get(slug="acme")
    checked, saved = _confirm(
        editor_client, "/parties/acme/offboard/", {"on": today, "version": record_version(acme)}
    )
    page = _text(checked)
    assert "ends its 1 live flow on the day you give" in page
    assert "Offboarding" in page
    assert saved.url == "/parties/acme/"
    assert Party.objects.get(slug="acme").status == "offboarded"
    assert Flow.objects.get(pk=flow.pk).ended_on == date.today()


def test_ending_a_flow_before_it_starts_is_refused(editor_client, flow):
    response = editor_client.post(
        f"/flows/{flow.pk}/end/", {"on": "2019-01-01", "version": record_version(flow)}
    )
    assert "A flow cannot end before it starts." in _text(response)


def test_an_agreement_with_one_party_is_refused(editor_client, voipx):
    data = {"reference": "dpa-x", "kind": "dpa", "parties": "voipx", "signed_on": "2024-01-01",
            "subprocessor_authorisation": "none"}  # fmt: skip
    response = editor_client.post("/agreements/new/", data)
    assert "An agreement binds two or more parties." in _text(response)
    unknown = editor_client.post("/agreements/new/", {**data, "parties": "voipx, ghost"})
    assert "No party is named “ghost”." in _text(unknown)
    assert not Agreement.objects.exists()


def test_an_agreement_is_added_with_its_parties_and_categories(editor_client, voipx, acme):
    data = {"reference": "dpa-acme", "kind": "dpa", "parties": "voipx, acme",
            "signed_on": "2024-01-01", "categories": [EMAIL],
            "subprocessor_authorisation": "general"}  # fmt: skip
    checked, saved = _confirm(editor_client, "/agreements/new/", data)
    assert saved.url == "/agreements/dpa-acme/"
    agreement = Agreement.objects.get()
    assert sorted(agreement.parties.values_list("slug", flat=True)) == ["acme", "voipx"]
    assert agreement.history.count() == 1


def test_terminating_an_agreement(editor_client, agreement):
    url = f"/agreements/{agreement.reference}/terminate/"
    _, saved = _confirm(
        editor_client, url, {"on": "2025-01-31", "version": record_version(agreement)}
    )
    assert saved.status_code == 302
    assert Agreement.objects.get(pk=agreement.pk).terminated_on == date(2025, 1, 31)


def test_the_signed_document_is_stored_as_a_pdf(editor_client, agreement, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = f"/agreements/{agreement.reference}/edit/"
    version = record_version(agreement)
    upload = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    saved = editor_client.post(url, {"upload": "1", "version": version, "document": upload})
    assert saved.status_code == 302
    agreement.refresh_from_db()
    assert agreement.document.name.endswith(".pdf")
    assert agreement.document.read() == PDF
    assert agreement.history.count() == 2

    page = editor_client.get(agreement.get_absolute_url()).content.decode()
    assert "Download the signed PDF" in page
    download = editor_client.get(f"/agreements/{agreement.reference}/document/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{agreement.reference}.pdf"'
    assert b"".join(download.streaming_content) == PDF


def test_an_agreement_without_a_document_offers_an_upload_and_no_download(editor_client, agreement):
    page = editor_client.get(agreement.get_absolute_url()).content.decode()
    assert "none uploaded" in page and "Download the signed PDF" not in page
    missing = editor_client.get(f"/agreements/{agreement.reference}/document/")
    assert missing.status_code == 404
    assert "No signed document was uploaded for this agreement." in missing.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("signed.docx", b"PK\x03\x04", "Upload the signed document as a PDF file."),
        ("signed.pdf", b"<html>", "This file is not a PDF, although its name ends in .pdf."),
        ("signed.pdf", PDF + b"x" * 2048, "The file is 2 KB; the limit is 1 KB."),
    ],
)
def test_a_document_that_is_not_a_small_pdf_is_refused(
    editor_client, agreement, settings, tmp_path, name, content, message
):
    settings.MEDIA_ROOT = tmp_path
    settings.AGREEMENT_DOCUMENT_MAX_BYTES = 1024
    url = f"/agreements/{agreement.reference}/edit/"
    upload = SimpleUploadedFile(name, content)
    response = editor_client.post(url, {"upload": "1", "document": upload})
    assert message in _text(response)
    agreement.refresh_from_db()
    assert not agreement.document


def test_the_token_ignores_the_buttons_and_covers_the_data():
    from django.http import QueryDict

    one = QueryDict("name=a&check=&csrfmiddlewaretoken=x&version=3")
    two = QueryDict("name=a&confirm=abc&csrfmiddlewaretoken=y&version=3")
    three = QueryDict("name=b&version=3")
    assert check_token(one) == check_token(two) != check_token(three)
