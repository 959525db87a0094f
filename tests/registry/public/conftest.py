import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_shared_cache(request):
    """Each database test starts with nothing cached. A test in a transaction leaves nothing
    behind, but one against a live server commits, and flushing the database after it does
    not empty the cache's table (it belongs to no model)."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    cache.clear()
    yield
    cache.clear()
