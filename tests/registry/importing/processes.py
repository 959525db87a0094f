"""The commands run in their own processes, on a database file of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def manage(
    database: Path, *args: str, timeout: str = "0.5", stderr: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    """`manage.py ARGS` on this SQLite file, waiting at most `timeout` seconds for a lock."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "SQLITE_BUSY_TIMEOUT": timeout}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=120,
    )  # fmt: skip
