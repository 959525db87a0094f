from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from flows.findings import findings_as_of
from flows.models import Flow
from registry.models import Agreement, Party

pytestmark = pytest.mark.django_db


def test_a_synthetic_register_has_chains_transfers_and_broken_flows(capsys):
    call_command("generate_synthetic", "--parties", "120", "--flows", "600", "--seed", "7")
    assert "Added 120 parties" in capsys.readouterr().out
    assert Party.objects.count() == 120 and Flow.objects.count() == 600
    assert Flow.objects.filter(role="subprocessor").exists()
    assert Flow.objects.exclude(transfer_mechanism="").exists()
    assert Agreement.objects.filter(parties__relationship="subprocessor").exists()
    assert len(set(Party.objects.values_list("country", flat=True))) > 10
    _, findings = findings_as_of(date.today())
    rules = {f.rule for f in findings}
    assert {"NO_AGREEMENT", "INVALID_TRANSFER_MECHANISM", "NO_LAWFUL_BASIS"} <= rules
    assert 0 < len({f.flow for f in findings}) < 600


def test_the_same_seed_gives_the_same_register():
    def generate() -> list[tuple]:
        with transaction.atomic():
            call_command("generate_synthetic", "--parties", "50", "--flows", "100")
            rows = Flow.objects.order_by("reference")
            shape = [(f.reference, f.role, f.lawful_basis, f.transfer_mechanism) for f in rows]
            transaction.set_rollback(True)
        return shape

    assert generate() == generate()


def test_a_second_register_with_the_same_prefix_is_refused():
    call_command("generate_synthetic", "--parties", "20", "--flows", "10")
    with pytest.raises(CommandError, match="choose another --prefix"):
        call_command("generate_synthetic", "--parties", "20", "--flows", "10")


def test_a_size_below_one_is_refused_with_a_message():
    with pytest.raises(CommandError, match="--parties"):
        call_command("generate_synthetic", "--parties", "0")
