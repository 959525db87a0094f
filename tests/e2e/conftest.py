import os

import pytest
from django.core.cache import cache

from tests.e2e.browsing import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def browser(monkeypatch):
    """Debian's headless Chromium driven by Playwright; skipped, with the reason, where the
    package or the browser is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="the Python package 'playwright' is not installed"
    )
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"Chromium is not installed at {CHROMIUM}: install the Debian package 'chromium' "
            "(scripts/ensure_chromium.sh does it as root)"
        )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code.
    # Only for these tests: `manage.py check --deploy` in other tests refuses the variable.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _no_cached_pages(request):
    """A browser test's live server commits, and flushing the database after it leaves the
    cache's table (it belongs to no model) as it was: each test here starts and ends with
    nothing cached, as tests/registry/public/conftest.py does for the public pages."""
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    cache.clear()
    yield
    cache.clear()
