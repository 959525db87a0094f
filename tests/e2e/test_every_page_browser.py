"""Every page a person can reach, on a phone (390 px) and a desktop (1366 px), in a real
browser (Debian's headless Chromium driven by Playwright), on the demo register.

Each role of the demo logs in and walks its pages (the register's lists and records, the
findings and reviews, the tables, onboardings, imports and exports, the edit pages, the
registers, the 403 page); a visitor sees the log-in page, the public sub-processor list and
its feed, a 404, and a vendor's onboarding pages through the link its e-mail carries. On
every page the document is no wider than the window: no sideways scroll of the whole page
(a wide table scrolls inside its own box). On a phone the navigation is one "Menu" button
that opens every link, each on the dark bar with readable contrast and a visible keyboard
focus; on a desktop every link shows without it.

A screenshot of each page at both widths is saved under ci-artifacts/screenshots/every-page/
and its path printed for CI's log. The diagram pages are checked for the page's width only
(the diagram itself pans inside its frame).

Select with `pytest -m e2e`; skipped, with the reason, where Chromium is not installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core import mail
from django.core.management import call_command

from flows.models import AdequacyDecision, Flow, StoredFinding
from registry.models import Agreement, Party
from registry.onboarding.models import Onboarding
from tests.e2e.browsing import BROWSER_TEST, NARROW, PASSWORD, WIDE, Shots
from tests.factories import make_user

pytestmark = BROWSER_TEST

#: The document's width against the window's, with the widest boxes that stick out past the
#: window's right edge and are not inside a box that scrolls (what a failure should name).
MEASURE = """() => {
  const width = window.innerWidth;
  const scrolls = (node) => {
    for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(up).overflowX)) return true;
    }
    return false;
  };
  const wide = [];
  for (const node of document.body.querySelectorAll("*")) {
    const box = node.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1 && !scrolls(node)) {
      const text = (node.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 40);
      const tag = `<${node.tagName.toLowerCase()} class="${node.className}">`;
      wide.push(`${tag} ${Math.round(box.right)} px: ${text}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, window: width, wide: wide.slice(0, 6)};
}"""

#: A link's contrast against the background it is drawn on (WCAG 2's ratio), the box that
#: draws that background, and whether the link lies inside that box and on top at its centre:
#: a link that spills out of the dark bar is drawn on the page's light background instead.
READABLE = """(link) => {
  const channels = (colour) => colour.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => {
    const linear = (c) => {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
  };
  let painter = document.documentElement;
  for (let up = link; up; up = up.parentElement) {
    const colour = channels(getComputedStyle(up).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) { painter = up; break; }
  }
  const background = channels(getComputedStyle(painter).backgroundColor);
  const paint = background.length < 4 || background[3] > 0 ? background : [255, 255, 255];
  const ink = luminance(channels(getComputedStyle(link).color));
  const [light, dark] = [ink, luminance(paint)].sort((a, b) => b - a);
  const box = link.getBoundingClientRect();
  const under = painter.getBoundingClientRect();
  const inside = box.left >= under.left - 1 && box.right <= under.right + 1
    && box.top >= under.top - 1 && box.bottom <= under.bottom + 1;
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return {
    text: link.textContent.trim(), ratio: (light + 0.05) / (dark + 0.05), inside,
    onTop: !!hit && (hit === link || link.contains(hit)),
    inWindow: box.left >= 0 && box.right <= window.innerWidth && box.width > 0,
  };
}"""

#: A focused element's outline, as drawn for keyboard users.
OUTLINE = """(node) => {
  const style = getComputedStyle(node);
  return {
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    focused: document.activeElement === node,
  };
}"""


@dataclass
class Walk:
    """The two windows (one browser context each: a desktop and a phone) walking the same
    pages, and every page's screenshots."""

    base: str
    shots: Shots
    windows: dict[int, Any] = field(default_factory=dict)
    visited: list[str] = field(default_factory=list)

    def each(self) -> list[tuple[int, Any]]:
        return sorted(self.windows.items(), reverse=True)

    def visit(self, name: str, path: str, *, status: int = 200, text: str = "") -> None:
        """`path` at both widths: the status, `text` on the page, no sideways scroll, a shot."""
        for width, page in self.each():
            response = page.goto(f"{self.base}{path}")
            assert response is not None and response.status == status, (
                f"{path} at {width} px: {response and response.status}, expected {status}"
            )
            if text:
                assert text in page.inner_text("body"), f"{path} at {width} px lacks {text!r}"
            self.fits(page, f"{name} ({path})")
            self.shoot(page, name)
        self.visited.append(path)

    def fits(self, page: Any, what: str) -> None:
        measured = page.evaluate(MEASURE)
        assert measured["scroll"] <= measured["window"], (
            f"{what} is {measured['scroll']} px wide in a {measured['window']} px window; "
            "sticking out: " + "; ".join(measured["wide"])
        )

    def shoot(self, page: Any, name: str) -> Path:
        width = page.viewport_size["width"]
        # Full-page shots of the phone's long pages; the desktop's first screen says enough.
        return self.shots.take(page, f"{name}-{width}", full_page=width == NARROW["width"])

    def log_in(self, username: str) -> None:
        for _width, page in self.each():
            page.goto(f"{self.base}/login/")
            page.get_by_label("User name").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{self.base}/")

    def log_out(self) -> None:
        """Through the menu, as a person would: on a phone it has to be opened first."""
        for width, page in self.each():
            if width == NARROW["width"]:
                page.get_by_text("Menu", exact=True).click()
            page.get_by_role("button", name="Log out").click()
            page.wait_for_url(re.compile(r".*/login/.*|.*/$"))


def _links_readable(page: Any, where: str) -> list[str]:
    """Every link and button of the open menu: shown, inside the window, on the dark bar,
    with a contrast of at least 4.5:1 (WCAG 2 AA); what fails, one line each."""
    failures = []
    items = page.locator("#menu .menu-body a, #menu .menu-body button")
    assert items.count() >= 10, f"{where}: only {items.count()} links in the menu"
    for index in range(items.count()):
        item = items.nth(index)
        if not item.is_visible():
            failures.append(f"{where}: {item.inner_text()!r} is hidden")
            continue
        seen = item.evaluate(READABLE)
        if seen["ratio"] < 4.5 or not seen["inside"] or not seen["onTop"] or not seen["inWindow"]:
            failures.append(f"{where}: {seen}")
    return failures


def _check_menu(walk: Walk, role: str) -> None:
    """The desktop shows every link with no button; the phone shows the "Menu" button
    alone, which opens every link (readable, focus visible) and closes with Escape."""
    wide, phone = walk.windows[WIDE["width"]], walk.windows[NARROW["width"]]
    button = wide.get_by_text("Menu", exact=True)
    assert not button.is_visible(), "the desktop shows a Menu button"
    failures = _links_readable(wide, f"{role} at 1366 px")

    phone.goto(f"{walk.base}/")
    parties = phone.get_by_role("link", name="Parties", exact=True)
    assert not parties.is_visible(), "the phone's menu is open before it is asked for"
    walk.fits(phone, "the dashboard with its menu closed")
    phone.get_by_text("Menu", exact=True).click()
    assert parties.is_visible()
    failures += _links_readable(phone, f"{role} at 390 px")
    assert not failures, "\n".join(failures)
    walk.fits(phone, "the dashboard with its menu open")
    walk.shoot(phone, f"{role}-menu-open")

    # A keyboard user: the focus ring shows on the button and on the links it opened.
    phone.locator("#menu > summary").focus()
    phone.keyboard.press("Tab")
    focused = phone.locator("#menu .menu-body a").first.evaluate(OUTLINE)
    assert focused["focused"] and focused["style"] != "none" and focused["width"] >= 2, focused
    walk.shoot(phone, f"{role}-menu-focus")
    phone.keyboard.press("Escape")
    assert not parties.is_visible(), "Escape leaves the phone's menu open"
    summary = phone.locator("#menu > summary").evaluate(OUTLINE)
    assert summary["focused"] and summary["style"] != "none", summary


def _check_menu_without_javascript(walk: Walk, browser: Any) -> None:
    """Without JavaScript the phone's menu is served open, every link shown, and its button
    still closes it (a <details> element needs no script)."""
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_viewport_size(NARROW)
    page.goto(f"{walk.base}/login/")
    page.get_by_label("User name").fill("viewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{walk.base}/")
    parties = page.get_by_role("link", name="Parties", exact=True)
    assert parties.is_visible(), "without JavaScript the phone's menu hides its links"
    failures = _links_readable(page, "viewer at 390 px without JavaScript")
    assert not failures, "\n".join(failures)
    walk.fits(page, "the dashboard without JavaScript")
    walk.shoot(page, "viewer-menu-without-javascript")
    page.get_by_text("Menu", exact=True).click()
    assert not parties.is_visible(), "without JavaScript the Menu button does not close it"
    page.context.close()


def _records() -> dict[str, Any]:
    """The demo's records that the pages are about: the own company, a vendor, an agreement,
    a flow with a finding, an adequacy decision, the two onboardings."""
    finding = StoredFinding.objects.order_by("rule", "flow_id").first()
    assert finding is not None, "the demo has no finding"
    return {
        "own": Party.objects.get(relationship="own"),
        "vendor": Party.objects.filter(relationship="processor").order_by("slug").first(),
        "agreement": Agreement.objects.order_by("reference").first(),
        "flow": Flow.objects.get(pk=finding.flow_id),
        "finding": finding,
        "adequacy": AdequacyDecision.objects.order_by("pk").first(),
        "open": Onboarding.objects.get(state="open"),
        "submitted": Onboarding.objects.get(state="submitted"),
    }


def _as_visitor(walk: Walk) -> None:
    walk.visit("login", "/login/", text="Log in")
    walk.visit("public-list", "/subprocessors/", text="ub-processors")
    for width, page in walk.each():
        response = page.goto(f"{walk.base}/subprocessors/feed/")
        assert response is not None and response.status == 200, f"the feed at {width} px"
        assert "<item>" in response.text() or "<entry>" in response.text()
    walk.visit("not-found", "/no-such-page/", status=404)


def _as_viewer(walk: Walk, r: dict[str, Any]) -> None:
    own, agreement, flow, finding = r["own"], r["agreement"], r["flow"], r["finding"]
    walk.visit("dashboard", "/", text="Findings today")
    walk.visit("parties", "/parties/", text=own.name)
    walk.visit("party", f"/parties/{own.slug}/", text=own.name)
    walk.visit("vendor", f"/parties/{r['vendor'].slug}/", text=r["vendor"].name)
    walk.visit("party-history", f"/history/party/{own.slug}/")
    walk.visit("agreements", "/agreements/", text=agreement.reference)
    walk.visit("agreement", f"/agreements/{agreement.reference}/", text=agreement.reference)
    walk.visit("agreement-history", f"/history/agreement/{agreement.reference}/")
    walk.visit("flows", "/flows/", text=flow.source.name)
    walk.visit("flow", f"/flows/{flow.pk}/", text=flow.source.name)
    walk.visit("flow-history", f"/history/flow/{flow.pk}/")
    walk.visit("findings", "/findings/", text=flow.source.name)
    walk.visit("finding", f"/findings/{finding.rule}/{finding.flow_id}/", text=flow.target.name)
    walk.visit("where-data-goes", "/where/")
    walk.visit("diagram", "/diagram/")
    walk.visit("as-of", "/register/as-of/")
    walk.visit("tables", "/tables/", text="Adequacy decisions")
    walk.visit("table", "/tables/adequacy/", text="Adequacy decisions")
    walk.visit("table-entry", f"/tables/adequacy/{r['adequacy'].pk}/")
    walk.visit("onboardings", "/onboardings/", text=r["open"].party.name)
    walk.visit("jobs", "/jobs/")
    walk.visit("public-list-signed-in", "/subprocessors/")
    walk.visit("forbidden", "/parties/new/", status=403, text="Not allowed")


def _as_editor(walk: Walk, r: dict[str, Any], csv: Path) -> str:
    """The editor's pages; returns the vendor's link from the e-mail the editor sends."""
    own, agreement, flow = r["own"], r["agreement"], r["flow"]
    walk.visit("party-new", "/parties/new/")
    walk.visit("party-edit", f"/parties/{own.slug}/edit/")
    walk.visit("party-offboard", f"/parties/{r['vendor'].slug}/offboard/")
    walk.visit("agreement-new", "/agreements/new/")
    walk.visit("agreement-edit", f"/agreements/{agreement.reference}/edit/")
    walk.visit("agreement-terminate", f"/agreements/{agreement.reference}/terminate/")
    walk.visit("flow-new", "/flows/new/")
    walk.visit("flow-edit", f"/flows/{flow.pk}/edit/")
    walk.visit("flow-end", f"/flows/{flow.pk}/end/")
    walk.visit("onboarding-start", "/onboardings/start/")
    walk.visit("onboarding-open", f"/onboardings/{r['open'].pk}/", text=r["open"].party.name)
    walk.visit("exports", "/exports/")
    walk.visit("imports", "/imports/")

    wide = walk.windows[WIDE["width"]]
    # An import, from the upload through its preview to its job's page.
    wide.get_by_label("What the file holds").select_option("parties")
    wide.locator("#id_file").set_input_files(str(csv))
    wide.get_by_role("button", name="Upload and preview").click()
    wide.wait_for_url(re.compile(r".*/imports/[^/]+/$"))
    preview = wide.url.removeprefix(walk.base)
    walk.visit("import-preview", preview, text="Gamma Cloud")
    wide.get_by_role("button", name=re.compile(r"^Import 1 new")).click()
    wide.wait_for_url(re.compile(r".*/jobs/\d+/$"))
    walk.visit("job", wide.url.removeprefix(walk.base), text="Done")

    # A new link for the vendor whose onboarding is open, read from the e-mail it gets.
    mail.outbox.clear()
    wide.goto(f"{walk.base}/onboardings/{r['open'].pk}/")
    wide.get_by_role("button", name="Issue a new link and e-mail it").click()
    wide.wait_for_load_state()
    assert len(mail.outbox) == 1, "the vendor got no e-mail"
    body = str(mail.outbox[0].body)
    found = re.search(r"https?://\S+/onboarding/\S+", body)
    assert found, body
    return found.group(0)


def _as_vendor(walk: Walk, link: str) -> None:
    """The vendor's pages, opened from the link (which leaves the address token-free)."""
    for _width, page in walk.each():
        page.goto(link)
        page.wait_for_url(f"{walk.base}/onboarding/vendor/")
    walk.visit("vendor-home", "/onboarding/vendor/")
    steps = walk.windows[WIDE["width"]].eval_on_selector_all(
        "main a[href^='/onboarding/vendor/']", "links => links.map(a => a.getAttribute('href'))"
    )
    steps = list(dict.fromkeys(s for s in steps if s != "/onboarding/vendor/"))
    assert len(steps) >= 3, steps
    for path in steps:
        walk.visit(f"vendor-{path.strip('/').split('/')[-1]}", path)


def _as_reviewer(walk: Walk, r: dict[str, Any]) -> None:
    finding = r["finding"]
    walk.visit("reviews", "/reviews/", text=r["flow"].source.name)
    walk.visit("review", f"/reviews/{finding.rule}/{finding.flow_id}/")
    walk.visit("decisions", "/subprocessors/decisions/")
    walk.visit("onboarding-submitted", f"/onboardings/{r['submitted'].pk}/")
    walk.visit("table-new", "/tables/adequacy/new/")
    walk.visit("registers", "/registers/")


def test_every_page_fits_a_phone_and_a_desktop_and_the_menu_reads(
    browser, live_server, tmp_path, settings, capsys
):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", today=date.today())
    for role in ("viewer", "editor", "reviewer"):
        make_user(role, role=role)
    make_user("admin", role="admin", is_staff=True)
    records = _records()
    csv = tmp_path / "vendors.csv"
    csv.write_text("slug,name,relationship,country\ngamma,Gamma Cloud,processor,US\n")

    walk = Walk(base=live_server.url, shots=Shots("every-page"))
    with walk.shots.reported(capsys, "Screenshots of every page at 1366 and 390 px:", browser):
        for size in (WIDE, NARROW):
            page = browser.new_context().new_page()
            page.set_viewport_size(size)
            walk.windows[size["width"]] = page

        _as_visitor(walk)
        walk.log_in("viewer")
        _check_menu(walk, "viewer")
        _check_menu_without_javascript(walk, browser)
        _as_viewer(walk, records)
        walk.log_out()

        walk.log_in("editor")
        link = _as_editor(walk, records, csv)
        walk.log_out()
        _as_vendor(walk, link)

        walk.log_in("reviewer")
        _check_menu(walk, "reviewer")
        _as_reviewer(walk, records)
        walk.log_out()

        walk.log_in("admin")
        _check_menu(walk, "admin")
        walk.visit("admin-site", "/admin/", text="Site administration")
        walk.visit("admin-dashboard", "/")
        walk.log_out()
    assert len(walk.visited) >= 50, walk.visited
