"""Public pages, no login: the sub-processor list (GDPR Art. 28(2)) and its Atom feed."""

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from registry.public import selectors as public_selectors
from registry.public.cache import cached
from registry.public.selectors import ListChange

PAGE_TEMPLATE = "registry/public/subprocessors.html"
TABLE_TEMPLATE = "registry/public/subprocessor_table.html"


def _page_number(raw: str | None) -> int:
    """`?page=` as a number; anything else (absent, not a number, absurdly long) is page 1."""
    try:
        return max(1, int(raw or "1"))
    except ValueError:
        return 1


def subprocessor_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    listing = public_selectors.subprocessor_list_page(
        today=today, number=_page_number(request.GET.get("page"))
    )
    # The table is kept rendered: rendering a hundred rows costs more than reading them. It
    # holds nothing of the visitor (the header with a staff user's name is outside it).
    table = cached(
        listing.cache_key,
        lambda: render_to_string(
            TABLE_TEMPLATE, {"page": listing.page(), "upcoming": listing.upcoming()}
        ),
    )
    context = {"table": table, "today": today, "organisation": listing.organisation}
    return render(request, PAGE_TEMPLATE, context)


class PlainTextAtomFeed(Atom1Feed):
    """Atom with plain-text summaries (RFC 4287 section 3.1.1): a vendor names itself, so
    a name such as `<b>x</b>` must reach the reader as those characters, never as markup.
    Django's Atom1Feed writes `type="html"`, which tells the reader to render the text."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class SubprocessorFeed(Feed):
    """Changes of the public list: each addition or removal at notice and when it takes
    effect, removals at once, processing countries changed."""

    feed_type = PlainTextAtomFeed
    title = "Our processors and sub-processors: changes"
    subtitle = (
        "Processors and sub-processors to be added or removed (at notice, with the day it "
        "takes effect), added, removed, or processing personal data in other countries "
        "(GDPR Art. 28(2))."
    )

    def link(self) -> str:
        return reverse("subprocessors")

    def items(self) -> list[ListChange]:
        return public_selectors.subprocessor_changes(today=timezone.localdate())

    def item_title(self, item: ListChange) -> str:
        return item.title

    def item_description(self, item: ListChange) -> str:
        return item.description

    def item_link(self, item: ListChange) -> str:
        return f"{reverse('subprocessors')}#{item.slug}"

    def item_guid(self, item: ListChange) -> str:
        return item.guid

    item_guid_is_permalink = False

    def item_pubdate(self, item: ListChange) -> datetime:
        return item.when

    def item_updateddate(self, item: ListChange) -> datetime:
        return item.when
