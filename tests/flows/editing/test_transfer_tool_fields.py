"""The transfer-tool fields on the edit pages, the detail pages and the admin: the three DPF
certifications of a party, an agreement's objection period and the SCCs a UK Addendum
amends, a flow's derogation justification and Art. 10 authority."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from flows.models import Flow
from registry.models import Agreement, Party
from registry.services import agreement_upsert, record_version
from tests.factories import category, make_agreement, make_flow, make_party, make_user

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _confirm(client, url, data):
    """The check, then the confirmation with its token, as the page's two buttons do."""
    checked = client.post(url, data)
    assert checked.status_code == 200
    token = re.search(r'name="confirm" value="([0-9a-f]+)"', checked.content.decode())
    assert token, _text(checked)[:2000]
    return checked, client.post(url, {**data, "confirm": token.group(1)})


@pytest.fixture
def scc(voipx, acme):
    return make_agreement([voipx, acme], "scc-acme", kind="scc_2021_m2", title="Acme SCCs")


def _addendum(**extra):
    data = {"reference": "uk-addendum-acme", "kind": "uk_addendum", "parties": "voipx, acme",
            "signed_on": "2024-01-01", "subprocessor_authorisation": "none"}  # fmt: skip
    data.update(extra)
    return data


# --- the service ---------------------------------------------------------------------------


def test_an_addendum_amends_scc_2021_binding_its_parties(voipx, acme, scc):
    addendum = agreement_upsert(
        reference="add", kind="uk_addendum", parties=[voipx, acme], signed_on=date(2024, 1, 1),
        amends=scc,
    )  # fmt: skip
    assert addendum.amends == scc
    assert list(scc.amended_by.all()) == [addendum]


@pytest.mark.parametrize(
    ("kind", "amended_kind", "message"),
    [
        ("dpa", "scc_2021_m2", "Only a UK Addendum amends other SCCs"),
        ("uk_addendum", "dpa", "A UK Addendum amends SCCs 2021; Other is not SCCs 2021."),
        ("uk_addendum", "scc_2010_c2p", "A UK Addendum amends SCCs 2021; Other is not SCCs 2021."),
    ],
)
def test_only_an_addendum_amends_and_only_scc_2021(voipx, acme, kind, amended_kind, message):
    amended = make_agreement([voipx, acme], "other", kind=amended_kind, title="Other")
    with pytest.raises(ValidationError) as refused:
        agreement_upsert(reference="add", kind=kind, parties=[voipx, acme],
                         signed_on=date(2024, 1, 1), amends=amended)  # fmt: skip
    assert any(message in m for m in refused.value.message_dict["amends"])
    assert not Agreement.objects.filter(reference="add").exists()


def test_an_addendum_of_scc_between_other_parties_is_refused(voipx, acme):
    other = make_party("other", name="Other Vendor")
    scc = make_agreement([voipx, other], "scc-other", kind="scc_2021_m2")
    with pytest.raises(ValidationError) as refused:
        agreement_upsert(reference="add", kind="uk_addendum", parties=[voipx, acme],
                         signed_on=date(2024, 1, 1), amends=scc)  # fmt: skip
    assert refused.value.message_dict["amends"] == [
        "The SCCs scc-other do not bind Acme Support: a UK Addendum amends SCCs between the "
        "same parties."
    ]


# --- the edit pages ------------------------------------------------------------------------


def test_the_party_form_records_the_three_frameworks(editor_client, acme):
    page = editor_client.get(f"/parties/{acme.slug}/edit/").content.decode()
    for label in ("EU-US DPF certified until", "UK Extension certified until",
                  "Swiss-US DPF certified until"):  # fmt: skip
        assert label in page
    data = {"name": acme.name, "relationship": "processor", "country": "US",
            "dpf_certified_until": "2027-03-31", "dpf_uk_certified_until": "2027-02-28",
            "dpf_swiss_certified_until": "2026-12-31",
            "version": record_version(acme) or ""}  # fmt: skip
    _, saved = _confirm(editor_client, f"/parties/{acme.slug}/edit/", data)
    assert saved.status_code == 302
    acme = Party.objects.get(pk=acme.pk)
    assert acme.dpf_certified_until == date(2027, 3, 31)
    assert acme.dpf_uk_certified_until == date(2027, 2, 28)
    assert acme.dpf_swiss_certified_until == date(2026, 12, 31)
    page = _text(editor_client.get(acme.get_absolute_url()))
    assert "EU-US DPF certified until 2027-03-31" in page or "EU-US DPF certified until Mar" in page
    assert "UK Extension certified until" in page and "Swiss-US DPF certified until" in page


def test_the_addendum_picks_the_scc_it_amends_by_reference(editor_client, voipx, acme, scc):
    make_agreement([voipx, acme], "dpa-acme", kind="dpa")
    page = editor_client.get("/agreements/new/").content.decode()
    datalist = page.split('id="id_amends_choices"')[1].split("</datalist>")[0]
    assert "scc-acme" in datalist and "Acme SCCs" in datalist
    assert "dpa-acme" not in datalist
    _, saved = _confirm(
        editor_client, "/agreements/new/", _addendum(amends="scc-acme", objection_days="14")
    )
    assert saved.url == "/agreements/uk-addendum-acme/"
    addendum = Agreement.objects.get(reference="uk-addendum-acme")
    assert (addendum.amends, addendum.objection_days) == (scc, 14)
    shown = _text(editor_client.get(addendum.get_absolute_url()))
    assert "Amends Acme SCCs scc-acme" in shown
    assert "Objection period 14 days after a notice of a new sub-processor" in shown
    assert "Amended by UK Addendum" not in shown
    assert f"Amended by {addendum}" in _text(editor_client.get(scc.get_absolute_url()))


def test_an_addendum_of_the_wrong_agreement_is_refused_on_the_page(editor_client, voipx, acme):
    make_agreement([voipx, acme], "dpa-acme", kind="dpa", title="Acme DPA")
    checked = editor_client.post("/agreements/new/", _addendum(amends="dpa-acme"))
    assert "A UK Addendum amends SCCs 2021; Acme DPA is not SCCs 2021." in _text(checked)
    unknown = editor_client.post("/agreements/new/", _addendum(amends="nothing"))
    assert "No agreement has this reference." in _text(unknown)
    assert not Agreement.objects.filter(kind="uk_addendum").exists()


def test_an_addendum_naming_no_scc_says_so_on_its_page(editor_client, voipx, acme):
    addendum = make_agreement([voipx, acme], "add", kind="uk_addendum")
    assert "Amends no SCCs 2021 named" in _text(editor_client.get(addendum.get_absolute_url()))


def test_the_flow_form_records_the_derogation_and_the_art10_authority(editor_client, voipx, acme):
    page = _text(editor_client.get("/flows/new/"))
    assert "Why the derogation applies (for an Art. 49 derogation)" in page
    assert "Art. 10 legal authority (for criminal-offence data)" in page
    data = {"reference": "crim", "source": "voipx", "target": "acme",
            "categories": ["user.criminal_history"], "purpose": "essential.service",
            "role": "controller", "lawful_basis": "legal_obligation", "started_on": "2024-01-01",
            "transfer_mechanism": "derogation",
            "derogation_justification": "Art. 49(1)(e): one legal claim",
            "art10_authority": "Bundeszentralregistergesetz § 30"}  # fmt: skip
    _, saved = _confirm(editor_client, "/flows/new/", data)
    flow = Flow.objects.get(reference="crim")
    assert saved.url == flow.get_absolute_url()
    assert flow.derogation_justification == "Art. 49(1)(e): one legal claim"
    assert flow.art10_authority == "Bundeszentralregistergesetz § 30"
    shown = _text(editor_client.get(flow.get_absolute_url()))
    assert "Why the derogation applies Art. 49(1)(e): one legal claim" in shown
    assert "Art. 10 legal authority Bundeszentralregistergesetz § 30" in shown
    edit = editor_client.get(f"/flows/{flow.pk}/edit/").content.decode()
    assert "Art. 49(1)(e): one legal claim" in edit


def test_a_derogation_without_a_justification_says_it_is_not_recorded(editor_client, voipx, acme):
    flow = make_flow(voipx, acme, transfer_mechanism="derogation",
                     categories=[category("user.contact.email")])  # fmt: skip
    assert "Why the derogation applies not recorded" in _text(
        editor_client.get(flow.get_absolute_url())
    )
    other = make_flow(voipx, acme, transfer_mechanism="scc_2021")
    assert "Why the derogation applies" not in _text(editor_client.get(other.get_absolute_url()))


# --- the admin -----------------------------------------------------------------------------


def test_the_admin_refuses_an_addendum_of_scc_between_other_parties(client, voipx, acme):
    client.force_login(make_user("root", role="admin", is_staff=True, is_superuser=True))
    other = make_party("other", name="Other Vendor")
    scc = make_agreement([voipx, other], "scc-other", kind="scc_2021_m2")
    data = {"reference": "add", "title": "", "kind": "uk_addendum",
            "parties": [voipx.pk, acme.pk], "signed_on": "2024-01-01",
            "subprocessor_authorisation": "none", "objection_days": "30", "amends": scc.pk,
            "notes": "", "_save": "Save"}  # fmt: skip
    refused = client.post("/admin/registry/agreement/add/", data)
    assert refused.status_code == 200
    assert "do not bind Acme Support" in refused.content.decode()
    assert not Agreement.objects.filter(reference="add").exists()
    fine = make_agreement([voipx, acme], "scc-acme", kind="scc_2021_m2")
    saved = client.post("/admin/registry/agreement/add/", {**data, "amends": fine.pk})
    assert saved.status_code == 302, _text(saved)[:1500]
    assert Agreement.objects.get(reference="add").amends == fine
