"""A real SQLite database file for tests that run the commands in their own processes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.registry.importing.processes import manage


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database file, made once and copied by each test."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    result = manage(path, "migrate", "-v0", timeout="20")
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def database(migrated: Path, tmp_path: Path) -> Path:
    path = tmp_path / "register.sqlite3"
    shutil.copy(migrated, path)
    return path
