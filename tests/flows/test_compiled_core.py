"""The compiled rule engine: used only when built from the sources on disk, and finding
exactly what the .py files find."""

import ast
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.utils import autoreload

from flows.compiled_core import (
    COMPILED_MODULES,
    PURE_PYTHON_VARIABLE,
    STAMP_NAME,
    build_identity,
    build_is_current,
    use_compiled_core,
)

ROOT = Path(__file__).resolve().parents[2]
DATES = ("2015-10-06", "2019-03-01", "2022-06-01", "2026-11-28")
REQUIRE_VARIABLE = "FLOWS_REQUIRE_COMPILED"
"""Set by CI: there, a missing or stale build fails the comparison instead of skipping it."""


def _copy_of_the_sources(folder: Path) -> Path:
    package = folder / "flows"
    package.mkdir()
    for name in COMPILED_MODULES:
        shutil.copy(ROOT / "flows" / f"{name}.py", package)
    return package


def test_a_build_is_used_only_while_its_stamp_matches_the_sources(tmp_path):
    package = _copy_of_the_sources(tmp_path)
    build = tmp_path / "build"
    build.mkdir()
    assert not build_is_current(build, package)  # no stamp: a missing or interrupted build

    (build / STAMP_NAME).write_text(json.dumps(build_identity(package)))
    assert build_is_current(build, package)

    rules = package / "rules.py"
    rules.write_text(rules.read_text() + "\n# an edited rule\n")
    assert not build_is_current(build, package)  # the edited .py file runs, not the build


def test_an_unreadable_stamp_means_no_build(tmp_path):
    package = _copy_of_the_sources(tmp_path)
    (tmp_path / STAMP_NAME).write_text("{not json")
    assert not build_is_current(tmp_path, package)


def test_the_package_takes_a_current_build_first_and_ignores_a_stale_one(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delenv(PURE_PYTHON_VARIABLE, raising=False)
    package_path = ["flows-sources"]
    assert not use_compiled_core(package_path, tmp_path)  # nothing built
    (tmp_path / STAMP_NAME).write_text(json.dumps({"sources": {"rules": "an older text"}}))
    assert not use_compiled_core(package_path, tmp_path)  # built from other sources
    assert package_path == ["flows-sources"]

    (tmp_path / STAMP_NAME).write_text(json.dumps(build_identity()))
    monkeypatch.setenv(PURE_PYTHON_VARIABLE, "1")
    assert not use_compiled_core(package_path, tmp_path)  # asked for the .py files
    monkeypatch.setenv(PURE_PYTHON_VARIABLE, "0")
    assert use_compiled_core(package_path, tmp_path)
    assert package_path == [str(tmp_path / "flows"), "flows-sources"]


@pytest.mark.parametrize(
    "module, name",
    [("records", "PartyRecord"), ("records", "AgreementRecord"), ("records", "FlowRecord"),
     ("records", "Finding"), ("rule_context", "FlowFacts")],
)  # fmt: skip
def test_each_written_out_init_takes_the_fields_in_order_with_their_defaults(module, name):
    # The records write their __init__ out (flows/records.py says why): it must stay the one
    # dataclasses would generate, field for field. Read from the source, as compiled classes
    # keep no signature.
    tree = ast.parse((ROOT / "flows" / f"{module}.py").read_text())
    [record] = [node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == name]
    fields = [node for node in record.body if isinstance(node, ast.AnnAssign)]
    [init] = [n for n in record.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"]
    parameters = init.args.args[1:]
    defaults = [None] * (len(parameters) - len(init.args.defaults)) + init.args.defaults

    def text(node: ast.AST | None) -> str | None:
        return None if node is None else ast.unparse(node)

    assert [p.arg for p in parameters] == [f.target.id for f in fields]
    assert [text(p.annotation) for p in parameters] == [text(f.annotation) for f in fields]
    assert [text(d) for d in defaults] == [text(f.value) for f in fields]


def test_mypy_checks_exactly_the_modules_that_are_compiled():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert config["tool"]["mypy"]["files"] == [f"flows/{name}.py" for name in COMPILED_MODULES]


# One process per register and mode: it prints which core ran, then check_flows' JSON for
# each date, a line each.
_CHILD = f"""
import io, json
from django.core.management import call_command
from flows.compiled_core import core_mode
print(core_mode())
for day in {DATES!r}:
    out = io.StringIO()
    call_command("check_flows", "--as-of", day, "--format", "json", "--fail-on", "none",
                 stdout=out)
    print(json.dumps(json.loads(out.getvalue())))
"""


def _manage(url: str, *arguments: str, pure: bool = False) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop(PURE_PYTHON_VARIABLE, None)
    if pure:
        env[PURE_PYTHON_VARIABLE] = "1"
    command = [sys.executable, "manage.py", *arguments]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def registers(tmp_path_factory) -> dict[str, str]:
    """The demo register and a synthetic one, each in a SQLite file of its own."""
    folder = tmp_path_factory.mktemp("registers")
    demo, synthetic = folder / "demo.sqlite3", folder / "synthetic.sqlite3"
    _manage(f"sqlite:///{demo}", "migrate", "--noinput")
    shutil.copy(demo, synthetic)
    _manage(f"sqlite:///{demo}", "seed_demo", "--today", DATES[-1])
    _manage(
        f"sqlite:///{synthetic}", "generate_synthetic", "--parties", "300", "--flows", "3000",
        "--seed", "5",
    )  # fmt: skip
    return {"demo": f"sqlite:///{demo}", "synthetic": f"sqlite:///{synthetic}"}


@pytest.mark.parametrize("register", ["demo", "synthetic"])
def test_the_compiled_core_finds_what_the_python_files_find(registers, register):
    url = registers[register]
    compiled = _manage(url, "shell", "--no-imports", "-c", _CHILD).splitlines()
    python = _manage(url, "shell", "--no-imports", "-c", _CHILD, pure=True).splitlines()

    if compiled[0] != "compiled" and not os.environ.get(REQUIRE_VARIABLE):
        pytest.skip("no current build of the core in build/core: run `make compile`")
    assert compiled[0] == "compiled", "build/core is missing or stale: run `make compile`"
    assert python[0] == "python"
    by_date = [json.loads(line) for line in python[1:]]
    assert len(by_date) == len(DATES) and by_date[-1]  # findings today, at the least
    assert compiled[1:] == python[1:]


def test_runserver_reloads_when_a_compiled_module_s_source_is_edited():
    # Compiled modules are loaded from build/core; runserver must still watch their .py files.
    reloader = autoreload.StatReloader()
    autoreload.autoreload_started.send(sender=reloader)
    watched = set(reloader.watched_files())
    assert {ROOT / "flows" / f"{name}.py" for name in COMPILED_MODULES} <= watched
