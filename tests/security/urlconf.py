"""Every address of the site, read from the URL configuration, with a way to fill it in.

The security tests are generated from this list, so a page added tomorrow is covered (and,
for the role matrix, must be classified) without anyone remembering to add it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
_REGEX_PLACEHOLDER = re.compile(r"%\((?P<parameter>[^)]+)\)s")


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str
    """The path converter (int, slug, str, path, uuid), or "regex" for a re_path group."""


@dataclass(frozen=True)
class Route:
    """One address: its name (with namespace, "" when unnamed) and its parts in order."""

    name: str
    parts: tuple[str | Parameter, ...]
    callback: Callable[..., object]

    @property
    def parameters(self) -> list[Parameter]:
        return [p for p in self.parts if isinstance(p, Parameter)]

    def path(self, values: dict[str, str]) -> str:
        """The address with each parameter replaced by values[name], quoted for a path."""
        text = "".join(
            part if isinstance(part, str) else quote(values[part.name], safe="")
            for part in self.parts
        )
        return "/" + text

    def __str__(self) -> str:
        return self.name or self.path({p.name: f"<{p.name}>" for p in self.parameters})


def _parts(pattern: object) -> list[str | Parameter]:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        kinds = {name: type(c).__name__.removesuffix("Converter").lower()
                 for name, c in pattern.converters.items()}  # fmt: skip
        parts: list[str | Parameter] = []
        position = 0
        for match in _PARAMETER.finditer(route):
            parts.append(route[position : match.start()])
            name = match["parameter"]
            parts.append(Parameter(name, kinds.get(name, "str")))
            position = match.end()
        parts.append(route[position:])
        return [p for p in parts if p != ""]
    if isinstance(pattern, RegexPattern):
        template = normalize(pattern.regex.pattern)[0][0]
        parts = []
        position = 0
        for match in _REGEX_PLACEHOLDER.finditer(template):
            parts.append(template[position : match.start()])
            parts.append(Parameter(match["parameter"], "regex"))
            position = match.end()
        parts.append(template[position:])
        return [p for p in parts if p != ""]
    raise TypeError(f"Unknown URL pattern type {type(pattern).__name__}")


def _walk(
    patterns: Sequence[URLPattern | URLResolver],
    prefix: tuple[str | Parameter, ...] = (),
    namespace: str = "",
) -> Iterator[Route]:
    for entry in patterns:
        parts = (*prefix, *_parts(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, parts, inner)
        else:
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield Route(name=name, parts=parts, callback=entry.callback)


def all_routes() -> list[Route]:
    """Every address of the site, named or not, in the order Django tries them."""
    return list(_walk(get_resolver().url_patterns))


def named_routes() -> list[Route]:
    """One route per URL name (the first, as reverse() would pick)."""
    seen: dict[str, Route] = {}
    for route in all_routes():
        if route.name and route.name not in seen:
            seen[route.name] = route
    return list(seen.values())


def query_parameter_names() -> list[str]:
    """The query parameters the site's own views read, found in their source, plus the
    admin's date hierarchy lookups (the admin reads any field lookup)."""
    from pathlib import Path

    from django.contrib import admin

    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    reads = re.compile(r"""(?:GET|params|data)(?:\.get)?(?:\(|\[)\s*["']([a-z_]+)["']""")
    for folder in ("registry", "flows"):
        for source in (root / folder).rglob("*.py"):
            if "migrations" not in source.parts:
                found.update(reads.findall(source.read_text(encoding="utf-8")))
    for model_admin in admin.site._registry.values():
        if hierarchy := model_admin.date_hierarchy:
            found.update(f"{hierarchy}__{part}" for part in ("year", "month", "day"))
    return sorted(found)
