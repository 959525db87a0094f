"""How diagrams look: the limits past which they simplify, the shapes and colours of parties,
the colours of findings, the jurisdiction clusters. Shared by the drawing and its legend."""

from __future__ import annotations

NODE_LIMIT = 120
"""Past this many parties, a diagram collapses them into one node per country or relationship."""

EDGE_LABEL_LIMIT = 300
"""Past this many nodes, edges are drawn without labels (layout time grows sixfold with them)."""

EDGE_LIMIT = 150
"""Past this many edges (after merging parallel flows), edges lose their labels too, and a
collapsed diagram groups by relationship rather than country: with labels, dot lays out 30
country nodes joined by 800 edges in about a minute."""

READABLE_GROUP_EDGES = 60
"""A diagram collapsed by country with more edges than this is a tangle of labelled lines (a
synthetic register of 427 parties gave 140): unless the reader asked for countries, it is
collapsed by relationship instead."""

QUIET_LABEL_LIMIT = 12
"""Up to this many edges, compliant edges are labelled too (with their purpose, in grey); past
it only the edges with findings are, so that the problems are what the eye reads."""

# key: (label, plural, shape, fill colour, style)
RELATIONSHIPS: dict[str, tuple[str, str, str, str, str]] = {
    "own": ("Own company", "own company", "box", "#1f3b73", "filled,bold"),
    "affiliate": ("Affiliate", "affiliates", "box", "#cfe0f7", "filled,rounded"),
    "processor": ("Processor", "processors", "box", "#d7efd2", "filled"),
    "subprocessor": ("Sub-processor", "sub-processors", "box", "#f0f4c3", "filled,dashed"),
    "third_party": ("Third party", "third parties", "ellipse", "#f8d7e3", "filled"),
    "joint_controller": ("Joint controller", "joint controllers", "hexagon", "#e3d7f5", "filled"),
}
UNKNOWN_RELATIONSHIP = ("Not in the register", "unknown parties", "box", "#eeeeee", "filled")

SEVERITY_COLOURS: dict[str, str] = {
    "critical": "#c62828",
    "high": "#e65100",
    "medium": "#b8860b",
    "low": "#546e7a",
    "info": "#546e7a",
}
SEVERITY_PEN: dict[str, str] = {
    "critical": "4",
    "high": "3.2",
    "medium": "2.4",
    "low": "1.8",
    "info": "1.8",
}
PLAIN_EDGE = "#a9aeb5"
"""Compliant flows: thin and light grey, so that the flows with findings stand out."""
PLAIN_TEXT = "#6b7075"
DPF_COLOUR = "#1b7f3b"

ZONES: dict[str, str] = {
    "eea": "EEA",
    "adequate": "Adequate for the EU",
    "us": "United States (DPF-certified recipients marked)",
    "other": "Other third countries",
}
ZONE_COLOURS = {"eea": "#eef4fb", "adequate": "#eef8f0", "us": "#fdf6e9", "other": "#fbeeee"}

FONT = "Helvetica,Arial,sans-serif"
WRAP = 28
MAX_FLOWS_PER_EDGE = 3
MAX_PROBLEMS_PER_EDGE = 2


def relationship_style(key: str) -> tuple[str, str, str, str, str]:
    return RELATIONSHIPS.get(key, UNKNOWN_RELATIONSHIP)
