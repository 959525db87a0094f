"""Response headers every page carries, and the client address the log-in throttle counts.

The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY); the
two headers here are too small to need a package.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

Handler = Callable[[HttpRequest], HttpResponseBase]


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The Permissions-Policy header of `features`: `camera=()` refuses a feature to all."""
    return ", ".join(
        f"{feature}=({' '.join(origins)})" for feature, origins in sorted(features.items())
    )


class PermissionsPolicyMiddleware:
    """Refuses the browser features of settings.PERMISSIONS_POLICY on every response."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class NoStoreForUsersMiddleware:
    """`Cache-Control: no-store` on what a logged-in user sees, unless the view set its own.

    The register is confidential: a shared computer's cache or the back button after logging
    out must not show it.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The address that the log-in throttle counts failures against.

    The connection's own address, unless settings.BEHIND_PROXY says a reverse proxy is the
    only way in: then the last X-Forwarded-For entry, the one that proxy appended. The
    entries before it come from the client and prove nothing.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")
