"""benchmarks/load.py against a real server: it logs in, loads each page and prints its
figures; it refuses any server that is not on this machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import make_party, make_user

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "load.py"
PAGES = ["/", "/findings/", "/reviews/", "/subprocessors/"]
# As the other tests against a live server: the flush after the test leaves the database as it
# found it (the roles, the taxonomy), restored from its serialised copy.
LIVE = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _load(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@LIVE
def test_the_load_script_prints_every_default_page_with_no_error(live_server):
    make_user("loadtester", is_staff=True, is_superuser=True)
    make_party("vendor", name="Vendor", status="approved")
    try:
        result = _load(
            "--base-url", live_server.url, "--username", "loadtester", "--password",
            "pw-x9!long", "--requests", "4", "--concurrency", "1", "--warmup", "1",
        )  # fmt: skip
        # Concurrency 1: the live server shares the test's in-memory SQLite connection.
    finally:
        cache.clear()  # committed against the live server; a flush leaves the cache's table
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("page"))
    assert lines[header].split() == [
        "page",
        "requests",
        "errors",
        "req/s",
        "p50",
        "ms",
        "p95",
        "ms",
    ]
    rows = {line.split()[0]: line.split()[1:] for line in lines[header + 1 :]}
    assert list(rows) == PAGES
    for page, (requests, errors, rate, p50, p95) in rows.items():
        assert (requests, errors) == ("4", "0"), page
        assert float(rate) > 0 and 0 < float(p50) <= float(p95), page


@LIVE
def test_a_wrong_password_stops_the_script_with_one_line(live_server):
    make_user("loadtester")
    result = _load("--base-url", live_server.url, "--username", "loadtester", "--password", "no")
    assert result.returncode == 2
    assert result.stderr.strip() == "load.py: Logging in as 'loadtester' failed (status 200)."


@pytest.mark.parametrize(
    "url", ["http://192.0.2.1:8000", "http://10.0.0.1", "https://127.0.0.1:8765", "ftp://localhost"]
)
def test_the_script_refuses_a_server_that_is_not_on_this_machine(url):
    result = _load("--base-url", url, "--pages", "--requests", "1")
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("load.py: ")


@pytest.mark.parametrize("argument", ["--requests=100000", "--concurrency=0", "--max-seconds=9999"])
def test_the_script_refuses_unbounded_runs(argument):
    result = _load(argument)
    assert result.returncode == 2 and "must be between" in result.stderr


def test_the_help_explains_every_argument():
    result = _load("--help")
    assert result.returncode == 0
    arguments = ["--base-url", "--pages", "--public", "--username", "--password", "--login-path"]
    arguments += ["--requests", "--concurrency", "--warmup", "--max-seconds"]
    for argument in arguments:
        assert argument in result.stdout
    assert "loopback" in result.stdout
