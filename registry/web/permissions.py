"""Who may do what: decorators for views, one per boundary.

A visitor who is not logged in is sent to the login page; a logged-in user without the
permission (an outsider with no role) gets a 403 page that says why.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

if TYPE_CHECKING:
    from django.contrib.auth.models import User

View = Callable[..., HttpResponseBase]


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind one of these decorators: its user is logged in."""

    user: User


CAN_VIEW = "registry.view_party"
CAN_EDIT = "registry.change_party"
CAN_REVIEW = "flows.review_findings"
CAN_IMPORT = "registry.import_records"
CAN_EXPORT = "registry.export_records"


def requires(permission: str, what: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.has_perm(permission):
                raise PermissionDenied(
                    f"Your account may not {what}. Ask an administrator for the role you need."
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


viewer_required = requires(CAN_VIEW, "read the register")
editor_required = requires(CAN_EDIT, "edit the register")
reviewer_required = requires(CAN_REVIEW, "decide on findings or onboardings")
importer_required = requires(CAN_IMPORT, "import records")
exporter_required = requires(CAN_EXPORT, "export the register")
