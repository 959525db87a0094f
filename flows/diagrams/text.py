"""Text for diagrams: user input made safe for DOT labels, attributes and the SVG.

Every label is an HTML-like label whose text is entity-escaped, stripped of control
characters and clipped; tooltips lose backslashes, straight double quotes and angle
brackets; URLs are percent-encoded. No name can change the DOT structure or put markup into the SVG.
"""

from __future__ import annotations

import textwrap
import unicodedata
from urllib.parse import quote

MAX_TEXT = 80

_DROP = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def clean_text(value: object, limit: int = MAX_TEXT) -> str:
    """Printable text on one line: control, format and surrogate characters become spaces
    (expat, which reads HTML-like labels, refuses most of them), clipped to `limit`."""
    text = "".join(
        " " if unicodedata.category(ch) in _DROP or ch in "\ufffe\uffff" else ch
        for ch in str(value)
    )
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def html_text(value: object, limit: int = MAX_TEXT, wrap: int = 0) -> str:
    """Text for inside an HTML-like label: cleaned, wrapped, every markup character escaped."""
    # Graphviz refuses an empty <B></B>: a blank name shows as a dash.
    text = clean_text(value, limit) or "—"
    lines = textwrap.wrap(text, wrap, break_long_words=True) if wrap else [text]
    return '<BR ALIGN="CENTER"/>'.join(_escape(line) for line in lines or [""])


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
        # Graphviz's HTML-label lexer chokes on a bare "]" (found by the hypothesis test).
        .replace("[", "&#91;")
        .replace("]", "&#93;")
    )


def plain_text(value: object, limit: int = MAX_TEXT) -> str:
    """Text for a quoted DOT attribute (a tooltip): no backslash, which starts an escape
    sequence in DOT strings, no straight double quote, and no angle bracket, so that no
    markup reaches the SVG even if a Graphviz version stopped escaping attributes."""
    text = clean_text(value, limit).replace("\\", "∖").replace('"', "”")
    return text.replace("<", "‹").replace(">", "›")


def _safe_url(url: str) -> str:
    """Percent-encode whatever could end a DOT string or an SVG attribute."""
    return quote(url, safe="/?&=:%#;,+-._~")


def _html(inner: str) -> str:
    """Mark a label as HTML-like for the graphviz package (it keeps `<...>` unquoted)."""
    return f"<{inner}>"
