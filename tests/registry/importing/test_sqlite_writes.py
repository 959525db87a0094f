"""SQLite under writes, on a real database file: WAL lets readers read while a write is open,
a second writer waits for the lock, and one that cannot get it in time stops with a sentence
and writes nothing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.registry.importing.processes import manage

BUSY = "The database is busy with another write; try again when it finishes."
PARTIES = "slug,name,relationship,country\nacme,Acme,own,US\ncloudy,Cloudy,processor,DE\n"

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="the settings under test are SQLite's",
)


def party_slugs(database: Path) -> list[str]:
    with sqlite3.connect(database) as reader:
        return [r[0] for r in reader.execute("SELECT slug FROM registry_party ORDER BY slug")]


def hold_write_lock(database: Path) -> sqlite3.Connection:
    """Another process's open write transaction, as an import in progress holds it."""
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute(
        "UPDATE registry_party SET name = 'Renamed meanwhile' WHERE slug = 'acme'"
    )  # uncommitted: readers must not see it
    return holder


def test_the_settings_put_a_file_database_in_wal_mode_with_a_busy_timeout(
    tmp_path: Path, django_db_blocker: pytest.FixtureRequest
) -> None:
    default = connections["default"]
    wrapper = type(default)({**default.settings_dict, "NAME": str(tmp_path / "x.sqlite3")})
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA busy_timeout")
                timeout = settings.DATABASES["default"]["OPTIONS"]["timeout"]
                assert cursor.fetchone()[0] == int(timeout * 1000)
        finally:
            wrapper.close()
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_a_second_import_stops_in_one_line_and_writes_nothing(database: Path, tmp_path: Path):
    acme = _file(tmp_path, "acme.csv", "slug,name,relationship,country\nacme,Acme,own,US\n")
    assert manage(database, "import_records", "parties", acme).returncode == 0
    holder = hold_write_lock(database)
    try:
        result = manage(database, "import_records", "parties", _file(tmp_path, "p.csv", PARTIES))
        assert result.returncode == 1
        assert result.stderr.strip() == f"CommandError: {BUSY}"
        assert result.stdout == ""
        # While the write is open, readers still read, and see only what was committed.
        with sqlite3.connect(database) as reader:
            names = reader.execute("SELECT slug, name FROM registry_party").fetchall()
        assert names == [("acme", "Acme")]
        export = manage(database, "export_records", "parties")
        assert export.returncode == 0, export.stderr
        assert "acme,Acme," in export.stdout and "Renamed" not in export.stdout
    finally:
        holder.rollback()
        holder.close()
    assert party_slugs(database) == ["acme"]  # the import wrote nothing
    again = manage(database, "import_records", "parties", _file(tmp_path, "p.csv", PARTIES))
    assert again.returncode == 0, again.stderr
    assert party_slugs(database) == ["acme", "cloudy"]


def test_a_second_writer_waits_for_the_first_to_finish(database: Path, tmp_path: Path):
    holder = hold_write_lock(database)
    release = threading.Timer(1.5, holder.rollback)
    release.start()
    try:
        result = manage(database, "import_records", "parties", _file(tmp_path, "p.csv", PARTIES),
                        timeout="30")  # fmt: skip
    finally:
        release.join()
        holder.close()
    assert result.returncode == 0, result.stderr
    assert "2 new" in result.stdout
    assert party_slugs(database) == ["acme", "cloudy"]


def test_an_export_that_cannot_read_stops_in_one_line(database: Path, tmp_path: Path):
    # An exclusive lock keeps even WAL readers out (another tool doing maintenance, say).
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        target = tmp_path / "parties.csv"
        result = manage(database, "export_records", "parties", "-o", str(target))
    finally:
        holder.rollback()
        holder.close()
    assert result.returncode == 1
    assert result.stderr.strip() == f"CommandError: {BUSY}"
    assert not target.exists() and not list(tmp_path.glob(".*.part"))


def _file(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text)
    return str(path)
