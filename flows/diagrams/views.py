"""Diagram pages and downloads: the whole register, and the files behind the inline diagrams
of the category ("where data goes") and party pages.

A diagram is a pure function of the register, its findings and the request's options, so the
rendered SVG is kept in memory per register version; pages showing an unchanged register
do not run Graphviz again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from threading import Lock
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from flows.diagrams import drawing as diagram
from flows.findings import findings_as_of, register_version
from registry.web.arguments import iso_date_or_none
from registry.web.permissions import viewer_required

MAX_DEPTH = 5
DEFAULT_DEPTH = 2
SCOPES = ("category", "party", "register")


@dataclass(frozen=True, slots=True)
class DiagramRequest:
    """What to draw: a scope and its options, as parsed from a query string."""

    scope: str
    as_of: date
    category: str = ""
    party: str = ""
    depth: int = DEFAULT_DEPTH
    country: str = ""
    relationship: str = ""
    collapse: str = "auto"
    compliant: bool = True
    """False hides the flows with no finding (`?compliant=hide`)."""
    all_parties: bool = False
    """True draws the parties with no flow on the date too (`?all_parties=1`)."""

    def query(self, **changes: Any) -> str:
        values = {
            "scope": self.scope,
            "as_of": self.as_of.isoformat(),
            "category": self.category,
            "party": self.party,
            "depth": str(self.depth) if self.scope == "party" else "",
            "country": self.country,
            "relationship": self.relationship,
            "collapse": self.collapse if self.collapse != "auto" else "",
            "compliant": "" if self.compliant else "hide",
            "all_parties": "1" if self.all_parties else "",
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v})

    def filename(self, fmt: str) -> str:
        subject = {"category": self.category, "party": self.party}.get(self.scope, "register")
        part = "-".join(x for x in (self.country, self.relationship) if x)
        stem = "-".join(x for x in ("dataflows", subject, part, self.as_of.isoformat()) if x)
        return re.sub(r"[^A-Za-z0-9._-]", "_", stem)[:120] + f".{fmt}"


def diagram_request(params: Any, scope: str = "") -> DiagramRequest:
    """Lenient parsing: a bad date means today, a bad depth the default; a date out of the
    supported range is a BadRequest."""
    try:
        depth = min(max(int(params.get("depth", DEFAULT_DEPTH)), 1), MAX_DEPTH)
    except (TypeError, ValueError):
        depth = DEFAULT_DEPTH
    scope = scope or params.get("scope", "register")
    if scope not in SCOPES:
        raise Http404("Choose a scope: category, party or register.")
    collapse = params.get("collapse", "auto")
    return DiagramRequest(
        scope=scope,
        as_of=iso_date_or_none(params.get("as_of", "")) or date.today(),
        category=params.get("category", "").strip(),
        party=params.get("party", "").strip(),
        depth=depth,
        country=params.get("country", "").strip().upper()[:2],
        relationship=params.get("relationship", "").strip()[:30],
        collapse=collapse if collapse in ("country", "relationship") else "auto",
        compliant=params.get("compliant", "") != "hide",
        all_parties=params.get("all_parties", "") in ("1", "on", "true", "yes"),
    )


def _link(as_of: date) -> diagram.Link:
    """Every logged-in role may open party, flow and finding pages: nodes and edges link there."""

    def link(kind: str, value: str) -> str:
        try:
            if kind == "party":
                return reverse("party_detail", args=[value])
            if kind == "flow":
                return reverse("flow_detail", args=[int(value)])
            if kind == "finding":
                rule, _, flow = value.partition("/")
                url = reverse("finding_detail", args=[rule, int(flow)])
                return f"{url}?{urlencode({'as_of': as_of.isoformat()})}"
        except (NoReverseMatch, ValueError):
            return ""
        query = urlencode({"as_of": as_of.isoformat(), kind: value})
        return f"{reverse('register_diagram')}?{query}"

    return link


def build_diagram(request: DiagramRequest, links: bool = True) -> diagram.Diagram:
    """The diagram a request asks for; Http404 for an unknown category or party. Nodes link
    to the pages only where the diagram sits in a page (a downloaded file has no site)."""
    register, findings = findings_as_of(request.as_of)
    options = {
        "collapse": request.collapse,
        "link": _link(request.as_of) if links else None,
        "compliant": request.compliant,
        "all_parties": request.all_parties,
    }
    if request.scope == "category":
        if request.category not in register.categories:
            raise Http404("No data category has this key.")
        return diagram.category_diagram(
            register, findings, request.category, request.as_of, **options
        )
    if request.scope == "party":
        if request.party not in register.parties:
            raise Http404("No party with this slug.")
        return diagram.party_diagram(
            register, findings, request.party, request.as_of, request.depth, **options
        )
    return diagram.register_diagram(
        register, findings, request.as_of, request.country, request.relationship, **options
    )


class _Renders:
    """The last few rendered diagrams, per register version."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.values: dict[Any, tuple[diagram.Diagram, bytes] | diagram.DiagramError] = {}
        self.lock = Lock()

    def get(
        self, request: DiagramRequest, fmt: str, links: bool = True
    ) -> tuple[diagram.Diagram, bytes]:
        key = (register_version(), request, fmt, links)
        with self.lock:
            if key in self.values:
                found = self.values[key]
                if isinstance(found, diagram.DiagramError):
                    raise found
                return found
        drawn = build_diagram(request, links)
        try:
            value: tuple[diagram.Diagram, bytes] | diagram.DiagramError = (
                drawn,
                diagram.render(drawn.source, fmt),
            )
        except diagram.DiagramError as error:
            # Remember a failure too: a layout that timed out would time out again.
            value = error
        with self.lock:
            self.values[key] = value
            while len(self.values) > self.size:
                self.values.pop(next(iter(self.values)))
        if isinstance(value, diagram.DiagramError):
            raise value
        return value

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


renders = _Renders()

_PROLOGUE = re.compile(r"\A.*?(?=<svg\b)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SCRIPT = re.compile(
    r"<\s*(script|foreignObject|iframe|object|embed)\b.*?(</\s*\1\s*>|/>)", re.S | re.I
)
_HANDLER = re.compile(r"""\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_JS_URL = re.compile(r"""(href\s*=\s*["'])\s*javascript:[^"']*""", re.I)


def inline_svg(svg: bytes) -> SafeString:
    """dot's SVG ready to sit inside a page.

    The labels were escaped before dot saw them, so there is nothing to strip; this removes
    the XML prologue and, in case a future Graphviz or label path lets something through,
    any script-capable element, event handler or javascript: link.
    """
    text = svg.decode("utf-8", "replace")
    text = _PROLOGUE.sub("", text, count=1)
    text = _COMMENT.sub("", text)
    text = _SCRIPT.sub("", text)
    text = _HANDLER.sub("", text)
    text = _JS_URL.sub(r"\1#", text)
    return mark_safe(text)


def diagram_context(request: DiagramRequest) -> dict[str, Any]:
    """What the diagram include needs: the inline SVG, or why there is none, and downloads."""
    context: dict[str, Any] = {"wanted": request}
    try:
        drawn, svg = renders.get(request, "svg")
        context.update(diagram=drawn, svg=inline_svg(svg))
    except diagram.DiagramError as error:
        context.update(diagram=build_diagram(request), error=str(error))
    context["downloads"] = [
        (DOWNLOAD_LABELS.get(fmt, fmt.upper()), _download_url(request, fmt))
        for fmt in diagram.FORMATS
    ]
    drawn = context["diagram"]
    here = reverse("register_diagram") if request.scope == "register" else ""
    context["omitted"] = diagram.omitted_sentences(drawn.omitted)
    if here:
        hide = "hide" if request.compliant else ""
        every = "" if request.all_parties else "1"
        context["toggles"] = {
            "compliant": f"{here}?{request.query(compliant=hide)}",
            "all_parties": f"{here}?{request.query(all_parties=every)}",
        }
    if drawn.collapsed_by:
        context["parts"] = [
            (key, count, f"{reverse('register_diagram')}?{request.query(**_part(drawn, key))}")
            for key, count in drawn.groups
            if key
        ]
    return context


DOWNLOAD_LABELS = {"pdf": "PDF (A4)"}


def _download_url(request: DiagramRequest, fmt: str) -> str:
    return f"{reverse('diagram_download', args=[fmt])}?{request.query()}"


def register_png(as_of: date, *, compliant: bool = True) -> bytes:
    """The whole-register diagram as of a date, as PNG bytes (for the review pack): what the
    diagram page draws, without its links. Raises DiagramError when it cannot be drawn."""
    wanted = DiagramRequest(scope="register", as_of=as_of, compliant=compliant)
    return renders.get(wanted, "png", links=False)[1]


def _part(drawn: diagram.Diagram, key: str) -> dict[str, str]:
    """The query of the detailed view of one collapsed node: the register's part."""
    return {"scope": "", "category": "", "party": "", "depth": "", drawn.collapsed_by: key}


@viewer_required
def register_diagram(request: HttpRequest) -> HttpResponse:
    wanted = diagram_request(request.GET, scope="register")
    context = diagram_context(wanted)
    context["relationships"] = [(k, v[0]) for k, v in diagram.RELATIONSHIPS.items()]
    return render(request, "flows/diagrams/diagram.html", context)


@viewer_required
def diagram_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in diagram.FORMATS:
        raise Http404("Choose a format: svg, png, pdf or dot.")
    wanted = diagram_request(request.GET)
    try:
        if fmt == "dot":
            content = build_diagram(wanted, links=False).source.encode("utf-8")
        else:
            content = renders.get(wanted, fmt, links=False)[1]
    except diagram.DiagramError as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content, content_type=diagram.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{wanted.filename(fmt)}"'
    response["X-Content-Type-Options"] = "nosniff"
    # An SVG opened on its own is a document: forbid scripts in it whatever it holds.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
