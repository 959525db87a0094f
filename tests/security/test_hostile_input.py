"""No input answers a server error: odd dates, huge numbers, hostile strings, in every
address's path and query, as an administrator (who may open every page).

The fuzz test is generated from the URL configuration and from the query parameters the
views read, so new pages and new parameters are fuzzed without being listed here.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.web.arguments import SUPPORTED_DATES
from tests.security.urlconf import Parameter, Route, all_routes, query_parameter_names

pytestmark = pytest.mark.django_db

FIRST, LAST = SUPPORTED_DATES
AFTER = "9999-12-31"
BEFORE = "0001-01-01"


def _admin_client(personas) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(personas["admin"])
    return client


@pytest.mark.parametrize(
    "url",
    [
        f"/findings/?as_of={AFTER}",
        f"/findings/?as_of={BEFORE}",
        f"/where/?category=user.contact.email&as_of={AFTER}",
        f"/registers/?kind=controller&format=csv&as_of={AFTER}",
        f"/register/as-of/?date={AFTER}",
    ],
)
def test_a_date_out_of_range_is_a_form_error(world, personas, url):
    response = _admin_client(personas).get(url)
    assert response.status_code == 200
    assert f"choose a date from {FIRST} to {LAST}" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/findings/{rule}/{flow}/?as_of=" + AFTER,
        "/diagram/?as_of=" + AFTER,
        "/diagram/?scope=party&party={party}&as_of=" + BEFORE,
        "/diagram/download.svg?as_of=" + AFTER,
        "/diagram/download.dot?as_of=" + AFTER,
    ],
)
def test_a_date_out_of_range_answers_400_saying_why(world, personas, url):
    url = url.format(rule=world.rule, flow=world.finding_flow, party=world.party)
    response = _admin_client(personas).get(url)
    assert response.status_code == 400
    assert f"choose a date from {FIRST} to {LAST}" in response.content.decode()


@pytest.mark.parametrize("day", [FIRST.isoformat(), LAST.isoformat()])
def test_the_ends_of_the_supported_range_are_served(world, personas, day):
    client = _admin_client(personas)
    assert client.get(f"/findings/?as_of={day}").status_code == 200
    assert client.get(f"/diagram/download.dot?as_of={day}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "signed_on__year=9999",
        "signed_on__year=9999&signed_on__month=12",
        "signed_on__year=9999&signed_on__month=12&signed_on__day=31",
        "expires_on__year=99999",
        "signed_on__gte=99999-01-01",
    ],
)
def test_an_admin_date_filter_out_of_range_is_a_bad_lookup(world, personas, query):
    response = _admin_client(personas).get(f"/admin/registry/agreement/?{query}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize(
    "url",
    [
        "/admin/registry/party/%20/history/",
        "/admin/registry/party/1/history/dot/",
        "/admin/flows/flow/x/history/1/",
        "/admin/registry/agreement/add/?categories=+",
        "/admin/flows/flow/add/?source=1e309&categories=dot",
    ],
)
def test_admin_ids_that_are_not_numbers_are_no_such_page(world, personas, url):
    response = _admin_client(personas).get(url)
    assert response.status_code in (200, 302, 404)


# The admins of the other apps, and of the users, guard their date hierarchies too.
OTHER_ADMINS_DATES = [
    "/admin/reviews/review/?decided_at__year=9999",
    "/admin/onboarding/onboarding/?created_at__year=99999",
    "/admin/onboarding/onboardingevent/?at__year=99999",
    "/admin/auth/user/?date_joined__year=99999",
]


@pytest.mark.parametrize("url", OTHER_ADMINS_DATES)
def test_the_other_admins_date_lookups_out_of_range_are_bad_lookups(world, personas, url):
    response = _admin_client(personas).get(url)
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_an_admin_export_with_a_bad_filter_is_a_bad_request(world, personas):
    response = _admin_client(personas).get("/admin/registry/agreement/export/?as_of=")
    assert response.status_code == 400


def test_check_flows_refuses_a_date_out_of_range_in_one_line():
    with pytest.raises(CommandError, match=f"out of range; choose a date from {FIRST}"):
        call_command("check_flows", "--as-of", AFTER)


@pytest.mark.parametrize("command", ["check_flows", "export_diagram", "export_ropa"])
def test_commands_exit_2_for_a_date_out_of_range(command, tmp_path, capsys):
    from django.core.management import ManagementUtility

    argv = ["manage.py", command, "--as-of", AFTER]
    if command != "check_flows":
        argv += ["-o", str(tmp_path / "out")]
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(argv).execute()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{AFTER} is out of range" in err and "Traceback" not in err


# The fuzz test. ------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "1e309",
        "NaN",
        "9" * 40,
        "-" + "9" * 30,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "../../etc/passwd",
        "%00",
        "\x00",
        "\u202e",
        "{{7*7}}",
        "${7*7}",
        "a" * 3000,
        "svg",
        "dot",
        "party",
        "category",
        "register",
        "user.contact.email",
        "vendor",
        "critical",
        "country",
    ]
)
ODD_DATES = st.one_of(
    st.sampled_from([AFTER, BEFORE, "2024-02-30", "2024-13-01", "10000-01-01", "1899-12-31",
                     "3000-01-01", "2999-12-31", "1900-01-01", "20240101", "2024-1-1",
                     "12/31/9999", "9999-12-31T23:59"]),
    st.dates().map(lambda d: d.isoformat()),
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["9999", "99999", "2147483648", "9223372036854775808"]),
)
VALUES = st.one_of(HOSTILE_TEXT, ODD_DATES, NUMBERS, st.text(max_size=40))


def _segment(parameter: Parameter) -> st.SearchStrategy[str]:
    if parameter.kind == "int":
        return st.one_of(
            st.integers(min_value=0, max_value=10**40).map(str),
            st.sampled_from(["0", "1", "2147483648", "9223372036854775808"]),
        )
    if parameter.kind == "slug":
        return st.one_of(st.from_regex(r"\A[-a-zA-Z0-9_]{1,80}\Z"), st.just("vendor"))
    return st.one_of(VALUES, st.text(min_size=1, max_size=40)).filter(bool)


ROUTES = [r for r in all_routes() if not r.name.endswith("logout")]
_READ = query_parameter_names()
QUERY_NAMES = sorted({*_READ, "as_of", "date", "page", "category", "party", "rule",
                      "severity", "scope", "depth", "fmt", "q", "format", "kind", "country",
                      "relationship", "collapse", "status", "role"})  # fmt: skip


@st.composite
def requests(draw: st.DrawFn) -> tuple[Route, str]:
    route = draw(st.sampled_from(ROUTES))
    values = {p.name: draw(_segment(p)) for p in route.parameters}
    names = draw(st.lists(st.sampled_from(QUERY_NAMES), max_size=5))
    query = [(name, draw(VALUES)) for name in names]
    return route, route.path(values) + ("?" + urlencode(query) if query else "")


@settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(request=requests())
def test_no_address_answers_a_server_error(world, personas, request):
    route, url = request
    client = _admin_client(personas)
    response = client.get(url)
    assert response.status_code < 500, f"{route} GET {url}: {response.status_code}"


def test_a_bad_request_that_is_not_ours_says_a_plain_sentence_never_the_input(client):
    response = client.get("/subprocessors/", HTTP_HOST="<b>evil</b>.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot read" in page
    assert "evil" not in page
