import pytest

from tests.factories import make_own_party, make_party, make_user


@pytest.fixture
def editor(db):
    return make_user("editor", role="editor")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def voipx(db):
    return make_own_party("voipx", name="VoIPX Europe", country="DE")


@pytest.fixture
def acme(db):
    return make_party("acme", name="Acme Support", country="IN")
