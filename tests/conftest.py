import pytest

from flows.findings import forget_cached_findings
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _fresh_findings_cache():
    """Findings are kept in memory per process; each test starts from a cold cache."""
    forget_cached_findings()
    yield
    forget_cached_findings()


@pytest.fixture
def viewer(db):
    return make_user("viewer", role="viewer")


@pytest.fixture
def outsider(db):
    """Logged in, but with no role: sees nothing."""
    return make_user("outsider")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Background tasks run in the test's process as they are enqueued (django-tasks'
    immediate backend): a test sees a job's outcome without a worker. The one test of the
    worker itself sets the database backend back."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
