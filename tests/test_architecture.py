"""The layout holds: no import cycle, not even through imports inside functions, and every
module of the project sits in one layer of the import contracts (pyproject.toml), so that
`lint-imports` watches it."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("registry", "flows")
MAX_MODULE_LINES = 600
MAX_MODULES_PER_PACKAGE = 20


def _modules() -> dict[str, Path]:
    """Every module of the project by dotted name (packages by their __init__)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that `module` imports anywhere in its body, functions too."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    targets = set()
    for name in names:
        # `from flows.engine import rules` names a module; `from flows.models import Flow`
        # names one by its longest known prefix.
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module:
            targets.add(name)
    return targets


def _graph() -> nx.DiGraph:
    modules = _modules()
    known = set(modules)
    graph = nx.DiGraph()
    graph.add_nodes_from(known)
    for module, path in modules.items():
        for target in _imported(module, path, known):
            graph.add_edge(module, target)
    return graph


def test_no_module_imports_itself_back_through_others():
    graph = _graph()
    cycles = sorted(sorted(c) for c in nx.simple_cycles(graph) if len(c) > 1)
    assert cycles == [], f"import cycles: {cycles}"


def test_the_cycle_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "late.py"
    module.write_text("def f():\n    from flows.models import Flow\n    return Flow\n")
    assert "flows.models" in _imported("late", module, {"flows.models", "late"})


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    names = []
    for layer in contract["layers"]:
        names += [part.strip() for part in layer.replace("|", ":").split(":")]
    return names


def test_every_module_is_in_a_layer_of_the_contracts():
    layered = _layers()
    unplaced = [
        module
        for module in _modules()
        if module not in PACKAGES
        and not any(module == layer or module.startswith(layer + ".") for layer in layered)
    ]
    assert unplaced == [], f"modules in no layer of pyproject's import contracts: {unplaced}"


def test_modules_and_packages_stay_small():
    too_long = {
        module: lines
        for module, path in _modules().items()
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}
    crowded = {
        str(folder.relative_to(ROOT)): count
        for package in PACKAGES
        for folder in [ROOT / package, *(ROOT / package).rglob("*")]
        if folder.is_dir()
        and folder.name not in ("migrations", "__pycache__")
        and (count := len(list(folder.glob("*.py")))) > MAX_MODULES_PER_PACKAGE
    }
    assert crowded == {}
