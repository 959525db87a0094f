import pytest

from flows.diagrams import views as diagram_views


@pytest.fixture(autouse=True)
def _fresh_renders():
    """Each test draws its own diagrams: none is served from another test's renders."""
    diagram_views.renders.clear()
    yield
    diagram_views.renders.clear()
