"""Load a running server with a bounded number of requests and print, per page, requests/s,
p50 and p95 latency and the number of errors.

    .venv/bin/python benchmarks/load.py --base-url http://127.0.0.1:8765 \\
        --username admin --password '...' [--concurrency 8] [--requests 200]

Staff pages (`--pages`, default the dashboard, the findings and the review queue) are asked
for as a user logged in through Django's login form; public pages (`--public`, default the
sub-processor list) without a session. Pages are loaded one after the other, each with
`--concurrency` threads sending `--requests` requests in all (after `--warmup` uncounted
ones), or fewer when `--max-seconds` runs out first. An error is any answer that is not
2xx or 3xx, or no answer at all.

Only a server on this machine can be loaded (loopback addresses): the script refuses any
other host, so that it cannot be pointed at someone else's site. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import math
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

MAX_REQUESTS = 10_000
MAX_CONCURRENCY = 64
MAX_SECONDS = 300.0
REQUEST_TIMEOUT = 30.0
STAFF_PAGES = ["/", "/findings/", "/reviews/"]
PUBLIC_PAGES = ["/subprocessors/"]


class Refused(Exception):
    """A reason to stop before sending anything, shown as one line."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int


def loopback_target(base_url: str) -> Target:
    """The server to load, if `base_url` is http:// on a loopback address; else Refused."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or not parts.hostname:
        raise Refused(f"--base-url must be http://HOST:PORT, not {base_url!r}.")
    if parts.path not in ("", "/"):
        raise Refused("--base-url takes no path; name pages with --pages and --public.")
    port = parts.port or 80
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise Refused(f"Cannot resolve {parts.hostname!r}.") from None
    addresses = {str(info[4][0]) for info in infos}
    if not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise Refused(
            f"Refusing {parts.hostname}: only a server on this machine (127.0.0.1, ::1, "
            "localhost) can be loaded."
        )
    return Target(parts.hostname, port)


def _connection(target: Target) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(target.host, target.port, timeout=REQUEST_TIMEOUT)


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def log_in(target: Target, login_path: str, username: str, password: str) -> str:
    """The Cookie header of a session logged in through Django's login form (its CSRF
    token and cookie first, then the POST); Refused when the log-in fails."""
    conn = _connection(target)
    try:
        conn.request("GET", login_path)
        form = conn.getresponse()
        body = form.read().decode("utf-8", "replace")
        cookies = _cookies(form)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if form.status != 200 or token is None or "csrftoken" not in cookies:
            raise Refused(f"{login_path} answered {form.status} without a login form.")
        data = urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
            "Referer": f"http://{target.host}:{target.port}{login_path}",
        }
        conn.request("POST", login_path, body=data, headers=headers)
        answer = conn.getresponse()
        answer.read()
        session = _cookies(answer).get("sessionid")
    finally:
        conn.close()
    if answer.status != 302 or not session:
        raise Refused(f"Logging in as {username!r} failed (status {answer.status}).")
    return f"sessionid={session}"


@dataclass
class PageResult:
    path: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return len(self.latencies) + self.errors

    def percentile(self, share: float) -> float:
        """Nearest rank, in milliseconds; 0 when no request answered."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return 1000 * ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _send(conn: http.client.HTTPConnection, path: str, cookie: str | None) -> int:
    headers = {"Cookie": cookie} if cookie else {}
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status


def load_page(
    target: Target,
    path: str,
    *,
    cookie: str | None,
    requests: int,
    concurrency: int,
    warmup: int,
    max_seconds: float,
) -> PageResult:
    """`requests` GETs of `path` from `concurrency` threads, each on its own connection,
    none started after `max_seconds`."""
    result = PageResult(path)
    lock = threading.Lock()
    remaining = requests
    warm = _connection(target)
    try:
        for _ in range(warmup):
            _send(warm, path, cookie)
    except (OSError, http.client.HTTPException):
        pass  # counted below, where it matters
    finally:
        warm.close()
    started = time.monotonic()
    deadline = started + max_seconds

    def worker() -> None:
        nonlocal remaining
        conn = _connection(target)
        try:
            while True:
                with lock:
                    if remaining <= 0 or time.monotonic() >= deadline:
                        return
                    remaining -= 1
                begin = time.perf_counter()
                try:
                    ok = 200 <= _send(conn, path, cookie) < 400
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()  # reconnects on the next request
                elapsed = time.perf_counter() - begin
                with lock:
                    if ok:
                        result.latencies.append(elapsed)
                    else:
                        result.errors += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def table(results: Sequence[PageResult]) -> str:
    width = max([len("page"), *(len(r.path) for r in results)])
    lines = [f"{'page':<{width}}  requests  errors    req/s   p50 ms   p95 ms"]
    for r in results:
        rate = r.requests / r.seconds if r.seconds else 0.0
        lines.append(
            f"{r.path:<{width}}  {r.requests:>8}  {r.errors:>6}  {rate:>7.1f}  "
            f"{r.percentile(0.50):>7.1f}  {r.percentile(0.95):>7.1f}"
        )
    return "\n".join(lines)


def _bounded(
    kind: type[int] | type[float], low: float, high: float
) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def _page_path(text: str) -> str:
    if not text.startswith("/"):
        raise argparse.ArgumentTypeError(f"a page is a path starting with '/': {text!r}")
    return text


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Send a bounded number of GET requests to a server on this machine and "
        "print, per page, requests/s, p50 and p95 latency and errors (non-2xx/3xx answers).",
    )
    p.add_argument(
        "--base-url",
        default="http://127.0.0.1:8765",
        help="the server, http://HOST:PORT on a loopback address (default %(default)s)",
    )
    p.add_argument(
        "--pages",
        nargs="*",
        type=_page_path,
        default=STAFF_PAGES,
        metavar="PATH",
        help="staff pages, asked for logged in (default: %(default)s; give none to skip)",
    )
    p.add_argument(
        "--public",
        nargs="*",
        type=_page_path,
        default=PUBLIC_PAGES,
        metavar="PATH",
        help="public pages, asked for without a session (default: %(default)s)",
    )
    p.add_argument("--username", help="the user the staff pages are asked for as")
    p.add_argument("--password", help="that user's password")
    p.add_argument(
        "--login-path", default="/login/", type=_page_path, help="the login form's address"
    )
    p.add_argument(
        "--requests",
        type=_bounded(int, 1, MAX_REQUESTS),
        default=200,
        help=f"counted requests per page, at most {MAX_REQUESTS:,} (default %(default)s)",
    )
    p.add_argument(
        "--concurrency",
        type=_bounded(int, 1, MAX_CONCURRENCY),
        default=8,
        help=f"requests in flight at once, at most {MAX_CONCURRENCY} (default %(default)s)",
    )
    p.add_argument(
        "--warmup",
        type=_bounded(int, 0, 100),
        default=2,
        help="uncounted requests per page first, to fill caches (default %(default)s)",
    )
    p.add_argument(
        "--max-seconds",
        type=_bounded(float, 0.1, MAX_SECONDS),
        default=60.0,
        help=f"no request to a page starts after this many seconds, at most {MAX_SECONDS:g} "
        "(default %(default)s)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        target = loopback_target(args.base_url)
        cookie = None
        if args.pages:
            if not (args.username and args.password):
                raise Refused("The staff pages need --username and --password (or --pages).")
            cookie = log_in(target, args.login_path, args.username, args.password)
    except Refused as refused:
        print(f"load.py: {refused}", file=sys.stderr)
        return 2
    except (OSError, http.client.HTTPException) as error:
        print(f"load.py: cannot reach {args.base_url}: {error}", file=sys.stderr)
        return 2
    plan = [(path, cookie) for path in args.pages] + [(path, None) for path in args.public]
    print(
        f"{args.base_url}, concurrency {args.concurrency}, up to {args.requests} requests "
        f"or {args.max_seconds:g} s per page"
    )
    results = [
        load_page(
            target,
            path,
            cookie=page_cookie,
            requests=args.requests,
            concurrency=args.concurrency,
            warmup=args.warmup,
            max_seconds=args.max_seconds,
        )
        for path, page_cookie in plan
    ]
    print(table(results))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
