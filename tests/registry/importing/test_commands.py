"""import_records and export_records: exit status, every bad row printed, no traceback."""

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry.models import Party

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def test_import_prints_every_bad_row_and_fails(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text("slug,name,relationship,country\na,A,vendor,US\nb,B,processor,Mars\n")
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_records", "parties", str(path), stderr=err)
    assert raised.value.returncode == 1
    assert "2 error(s) in the parties file; nothing was written" in str(raised.value)
    assert "vendors.csv: line 2, column relationship: 'vendor'" in err.getvalue()
    assert "vendors.csv: line 3, column country: 'Mars'" in err.getvalue()
    assert not Party.objects.exists()


def test_import_then_export_from_the_command_line(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text("slug,name,relationship,country\nacme,Acme,own,US\n")
    out = StringIO()
    call_command("import_records", "parties", str(path), "--dry-run", stdout=out)
    assert "1 new" in out.getvalue() and not Party.objects.exists()
    call_command("import_records", "parties", str(path), stdout=out)
    assert Party.objects.get().slug == "acme"
    target = tmp_path / "out.xlsx"
    call_command("export_records", "parties", "--format", "xlsx", "-o", str(target), stderr=out)
    assert target.read_bytes()[:2] == b"PK"


def test_a_missing_file_is_a_sentence_not_a_traceback(tmp_path):
    with pytest.raises(CommandError, match="There is no file"):
        call_command("import_records", "flows", str(tmp_path / "nope.csv"))


@pytest.mark.parametrize(
    "content, name, expected",
    [
        (b"", "a.csv", "empty"),
        (b"\x00\x01\x02garbage" * 100, "a.csv", "binary"),
        (b"slug\n", "a.txt", ".csv, .xlsx or .json"),
    ],
)
def test_unreadable_files_exit_1_without_a_traceback(tmp_path, content, name, expected):
    path = tmp_path / name
    path.write_bytes(content)
    result = subprocess.run(
        [sys.executable, "manage.py", "import_records", "parties", str(path)],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_the_progress_bar_counts_the_rows_checked():
    from registry.management.commands.import_records import Command

    err = StringIO()
    command = Command(stderr=err)
    command._progress("checking", 5000, 10_000)
    command._progress("writing", 10_000, 10_000)
    assert "checking [###############               ] 5,000/10,000" in err.getvalue()
    assert "writing them in one transaction" in err.getvalue()


def test_a_small_file_shows_no_progress_bar():
    from registry.management.commands.import_records import Command

    err = StringIO()
    Command(stderr=err)._progress("checking", 500, 1000)
    assert err.getvalue() == ""
