"""benchmarks/history.py on a small synthetic register: it gives the register a history,
then prints the figures of each page it measures, the same queries on every day asked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str, database: Path) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_benchmark_prints_time_bytes_and_queries_of_each_page(tmp_path):
    database = tmp_path / "synthetic.sqlite3"
    _run("manage.py", "migrate", "--verbosity", "0", database=database)
    _run("manage.py", "generate_synthetic", "--parties", "40", "--flows", "120", database=database)
    days = ["2024-06-30", "2025-12-31"]
    output = _run("benchmarks/history.py", str(database), "--day", *days, "--repeat", "1",
                  database=database)  # fmt: skip
    report = json.loads(output)
    assert report["history"] == "given to parties, agreements, flows"
    assert report["size"]["flows"] == 120
    as_of = [p for p in report["pages"] if p["url"].startswith("/register/as-of/")]
    assert [p["url"].split("=")[1][:10] for p in as_of[::2]] == days
    assert all(p["status"] == 200 and p["bytes"] > 0 and p["median_s"] >= 0 for p in as_of)
    assert len({p["queries"] for p in as_of}) == 1 and as_of[0]["queries"] > 0
    # The copy was measured: the file given keeps no history.
    before = _run("manage.py", "shell", "-c", "from flows.models import Flow; "
                  "print(Flow.history.count())", database=database)  # fmt: skip
    assert before.strip().splitlines()[-1] == "0"
