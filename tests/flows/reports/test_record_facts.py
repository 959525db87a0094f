"""The facts the Art. 30 records need and the register did not hold: data subjects and a
retention period on flows, security measures on parties. Each comes in through the edit
pages, the imports and the vendor onboarding, and goes back out through the exports."""

import re

import pytest

from flows.models import Flow
from registry.importing.engine import exporter_named
from registry.importing.tabular import write_table
from registry.models import Party
from tests.factories import make_own_party, make_party, make_user
from tests.registry.importing.import_helpers import messages, run_import
from tests.registry.onboarding.onboarding_helpers import (
    ATTESTATION,
    answer_every_step,
    start,
    submit_url,
)

pytestmark = pytest.mark.django_db
EMAIL = "user.contact.email"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _confirm(client, url: str, data: dict):
    """The check, then the confirmation with its token, as the page's two buttons do."""
    checked = client.post(url, data)
    token = re.search(r'name="confirm" value="([0-9a-f]+)"', checked.content.decode())
    assert token, _text(checked)[:2000]
    return client.post(url, {**data, "confirm": token.group(1)})


@pytest.fixture
def editor_client(client):
    client.force_login(make_user("editor", role="editor"))
    return client


@pytest.fixture
def parties():
    return make_own_party("voipx", name="VoIPX Europe", country="DE"), make_party(
        "acme", name="Acme Support", country="DE"
    )


def _flow_data(**extra):
    return {
        "source": "voipx",
        "target": "acme",
        "categories": [EMAIL],
        "purpose": "essential.service",
        "role": "processor",
        "lawful_basis": "contract",
        "started_on": "2024-01-01",
        **extra,
    }


def test_a_flows_data_subjects_and_retention_are_saved_from_its_form_and_shown_again(
    editor_client, parties
):
    data = _flow_data(data_subjects=["customer", "job_applicant"], retention="6 years")
    saved = _confirm(editor_client, "/flows/new/", data)
    flow = Flow.objects.get()
    assert saved.status_code == 302
    assert sorted(flow.data_subjects.values_list("name", flat=True)) == [
        "Customer",
        "Job Applicant",
    ]
    assert flow.retention == "6 years"
    page = editor_client.get(f"/flows/{flow.pk}/edit/")
    body = page.content.decode()
    picked = r'name="data_subjects" value="{}"[^>]*checked[^>]*>\s*{}'
    assert re.search(picked.format("customer", r"Customer \(customer\)"), body)
    assert not re.search(picked.format("employee", "Employee"), body)
    assert 'value="6 years"' in body
    # Clearing both on the edit page clears them in the register.
    _confirm(editor_client, f"/flows/{flow.pk}/edit/", _flow_data(retention=""))
    flow.refresh_from_db()
    assert not flow.data_subjects.exists() and flow.retention == ""


def test_an_unknown_data_subject_on_the_form_is_one_sentence(editor_client, parties):
    response = editor_client.post("/flows/new/", _flow_data(data_subjects=["martians"]))
    assert "Select a valid choice. martians is not one of the available choices." in _text(response)
    assert not Flow.objects.exists()


def test_a_partys_security_measures_are_saved_from_its_form(editor_client, parties):
    data = {
        "name": "Acme Support",
        "relationship": "processor",
        "country": "DE",
        "security_measures": "ISO/IEC 27001 certified; encryption at rest.",
    }
    saved = _confirm(editor_client, "/parties/acme/edit/", data)
    assert saved.status_code == 302
    assert Party.objects.get(slug="acme").security_measures.startswith("ISO/IEC 27001")
    assert "ISO/IEC 27001 certified; encryption at rest." in _text(
        editor_client.get("/parties/acme/edit/")
    )


def test_flows_import_data_subjects_by_key_or_name_and_export_their_keys(parties):
    header = "reference,source,target,categories,purpose,role,started_on,data_subjects,retention"
    report = run_import(
        "flows",
        f"{header}\nf-1,voipx,acme,{EMAIL},essential.service,processor,2024-01-01,"
        '"Customer; job applicant; employee",Until the contract ends\n',
    )
    assert report.ok, messages(report)
    flow = Flow.objects.get(reference="f-1")
    assert sorted(flow.data_subjects.values_list("key", flat=True)) == [
        "customer",
        "employee",
        "job_applicant",
    ]
    assert flow.retention == "Until the contract ends"
    exported_header, rows = exporter_named("flows").export_rows()
    [row] = rows
    cells = dict(zip(exported_header, row, strict=True))
    assert cells["data_subjects"] == "customer;employee;job_applicant"
    assert cells["retention"] == "Until the contract ends"
    again = run_import("flows", write_table(exported_header, rows, "csv"), name="flows.csv")
    assert again.ok and again.unchanged == 1, messages(again)


def test_an_unknown_data_subject_in_a_file_is_one_row_error(parties):
    header = "reference,source,target,categories,purpose,role,started_on,data_subjects"
    report = run_import(
        "flows",
        f"{header}\nf-1,voipx,acme,{EMAIL},essential.service,processor,2024-01-01,Custmer\n",
    )
    assert messages(report) == [
        "line 2, column data_subjects: unknown data subject 'Custmer' in column "
        "data_subjects; did you mean 'customer'?"
    ]
    assert not Flow.objects.exists()


def test_parties_import_and_export_their_security_measures(parties):
    report = run_import(
        "parties",
        "slug,name,relationship,country,security_measures\n"
        'acme,Acme Support,processor,DE,"SOC 2 Type II; encryption in transit"\n',
    )
    assert report.ok, messages(report)
    assert Party.objects.get(slug="acme").security_measures == (
        "SOC 2 Type II; encryption in transit"
    )
    header, rows = exporter_named("parties").export_rows()
    exported = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert exported["acme"]["security_measures"] == "SOC 2 Type II; encryption in transit"


def test_the_vendors_answer_puts_data_subjects_on_each_proposed_flow(client):
    onboarding = start()
    answer_every_step(client, onboarding, categories={"data_subjects": ["customer", "employee"]})
    response = client.post(submit_url(), ATTESTATION)
    assert "your answers are submitted" in _text(response)
    flows = list(onboarding.proposed_flows.all())
    assert len(flows) == 2, "ours to the vendor, and the vendor's to its sub-processor"
    for flow in flows:
        assert sorted(flow.data_subjects.values_list("name", flat=True)) == [
            "Customer",
            "Employee",
        ]
