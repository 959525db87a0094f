import pytest

from tests.factories import make_user


@pytest.fixture
def viewer(db):
    return make_user("viewer")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
