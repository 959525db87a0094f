"""The whole-register diagram as a picture for the review pack.

The one place the reports call the diagrams: flows.diagrams draws the register and renders
it with Graphviz's `dot`.
"""

from __future__ import annotations

from flows.diagrams.drawing import DiagramError, register_diagram, render
from flows.reports.lookups import ReportInput
from flows.reports.writing import Image


def register_picture(data: ReportInput) -> Image:
    """The whole register on the date as a PNG, with its caption; when Graphviz cannot
    draw it (not installed, say), the caption says why and the pack goes without it."""
    day = data.as_of.isoformat()
    title = f"The whole register as of {day}"
    try:
        drawn = register_diagram(data.register, data.findings, data.as_of)
        png = render(drawn.source, "png")
    except DiagramError as exc:
        return Image(b"", [title, f"No picture: {exc}"])
    return Image(
        png,
        [
            title,
            "Each box is a party and each arrow a flow; arrows in colour carry findings. The "
            "register's Diagram page shows the same drawing with links to each flow.",
        ],
    )
