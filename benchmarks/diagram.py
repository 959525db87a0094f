"""Benchmark the diagrams: DOT generation and Graphviz rendering at 50, 200, 1,000 and 3,000
parties, and the default page views on the demo and on a synthetic register of 5,000 parties.

    .venv/bin/python benchmarks/diagram.py [--sizes 50 200 1000 3000] [--pages-parties 5000]

Each case runs in a child process with its own throw-away SQLite database (DATABASE_URL), as
benchmarks/engine.py does. Synthetic registers have two flows a party. For each size:
- `detailed`: every party its own node (edge labels dropped past EDGE_LABEL_LIMIT nodes);
- `default`: what pages draw (collapsed past NODE_LIMIT parties).
Pages: the first view with empty caches (cold: register load, evaluation, layout; after one
request to another page has warmed Django up) and a second one (warm: the rendered SVG is
kept per register version). Prints JSON. Figures are noisy on a shared
machine: run it on a quiet one before quoting them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import ParamSpec, TypeVar

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date.today()


def _setup() -> None:
    # This folder is on sys.path as the script's own: drop it, so that a benchmark named
    # like a package (say, import_export.py) cannot shadow that package.
    here = str(Path(__file__).resolve().parent)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


P = ParamSpec("P")
T = TypeVar("T")


def _timed(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, float]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, round(time.perf_counter() - started, 3)


def measure_render(parties: int) -> dict[str, object]:
    """DOT generation and rendering of the whole register of `parties` parties."""
    _setup()
    from flows.diagrams import drawing as diagram
    from flows.findings import findings_as_of
    from registry.demo.synthetic import synthetic_register_create

    synthetic_register_create(parties=parties, flows=parties * 2, seed=1)
    register, findings = findings_as_of(AS_OF)
    result: dict[str, object] = {"parties": len(register.parties), "flows": len(register.flows)}
    for name, node_limit in (("detailed", None), ("default", diagram.NODE_LIMIT)):
        drawn, generate = _timed(
            diagram.register_diagram, register, findings, AS_OF, node_limit=node_limit
        )
        svg: float | str
        try:
            _, svg = _timed(diagram.render, drawn.source, "svg")
        except diagram.DiagramError as error:
            svg = f"failed: {error}"
        result[name] = {
            "nodes": drawn.nodes,
            "edge_labels": drawn.edge_labels,
            "dot_bytes": len(drawn.source),
            "generate_s": generate,
            "render_svg_s": svg,
        }
    return result


def measure_pages(parties: int) -> dict[str, object]:
    """Default page views, cold then warm; parties 0 means the demo register."""
    _setup()
    from django.core.management import call_command
    from django.test import Client

    from flows.diagrams.views import renders
    from flows.findings import forget_cached_findings
    from registry.demo.synthetic import synthetic_register_create
    from registry.models import Party
    from tests.factories import make_user

    if parties:
        synthetic_register_create(parties=parties, flows=parties * 4, seed=1)
    else:
        call_command("seed_demo", verbosity=0)
    client = Client(HTTP_HOST="localhost")
    client.force_login(make_user("bench-viewer", role="viewer"))
    own = Party.objects.get(relationship="own").slug
    pages = {
        "register_diagram": "/diagram/",
        "where_data_goes user.contact": "/where/?category=user.contact",
        "party_detail (own company)": f"/parties/{own}/",
    }
    result: dict[str, object] = {"parties": Party.objects.count()}
    client.get("/flows/")  # the process's first request imports and compiles what all share
    for name, url in pages.items():
        times = []
        forget_cached_findings()
        renders.clear()
        try:
            for _ in range(2):
                response, seconds = _timed(client.get, url)
                times.append(seconds if response.status_code == 200 else response.status_code)
        except Exception as error:  # another part of the page failing is worth reporting
            result[name] = {"failed": f"{type(error).__name__}: {error}"}
            continue
        result[name] = {"cold_s": times[0], "warm_s": times[1]}
    return result


def _child(case: str, size: int, folder: str) -> dict[str, object]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/bench-{case}-{size}.sqlite3"}
    command = [sys.executable, __file__, "--child", case, str(size)]
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000, 3000])
    parser.add_argument("--pages-parties", type=int, default=5000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, size = args.child[0], int(args.child[1])
        work = measure_render if case == "render" else measure_pages
        print(json.dumps(work(size)))
        return
    with tempfile.TemporaryDirectory() as folder:
        report = {
            "as_of": AS_OF.isoformat(),
            "render": [_child("render", size, folder) for size in args.sizes],
            "pages": {
                "demo": _child("pages", 0, folder),
                "synthetic": _child("pages", args.pages_parties, folder),
            },
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
