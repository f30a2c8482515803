"""The website of ``mturk-mock serve``: the pages a worker and a requester see, beside the MTurk protocol.

``WebSite.respond`` answers one request (method, target, headers, body) with a ``Response``; the
protocol's WSGI application hands it the paths ``paths.is_site_request`` claims. Pages are rendered on
the server with Jinja2; a route is a method, a path pattern and a function of a ``Page``.

Worker actions go through the simulation API (``handle.worker(...)``), so they meet the same rules and
refusals as a test's simulated workers. Requester actions are MTurk calls through the request pipeline
(``requester_actions.call``): validated, answered and logged exactly as a client's. Pages read the
model directly, under the world's lock, and render outside it.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from ..constants import DEFAULT_REQUESTER
from ..model.workers import WORKER_ID
from .http import Request, Response, redirect, text
from .paths import SITE, STATIC
from .security import CSRF_FIELD, SESSION_COOKIE, Csrf, page_headers
from .templating import Templates

if TYPE_CHECKING:
    from ..handle import Handle
    from ..simulation import SimulatedWorker

log = logging.getLogger("mturk_mock")

WORKER_COOKIE, REQUESTER_COOKIE, FLASH_COOKIE = "mturk_mock_worker", "mturk_mock_requester", "mturk_mock_flash"
_STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".png": "image/png"}


class Refused(Exception):
    """A request the site will not serve: shown as an error page with this status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Route:
    methods: frozenset[str]
    pattern: re.Pattern[str]
    handler: Callable[..., Response]

    @classmethod
    def of(cls, methods: str, pattern: str, handler: Callable[..., Response]) -> Route:
        return cls(frozenset(methods.split()), re.compile(pattern), handler)


class Page:
    """One request to the site: who is asking, and how to answer."""

    def __init__(self, site: WebSite, request: Request) -> None:
        self.site = site
        self.request = request
        session = request.cookies.get(SESSION_COOKIE, "")
        self.session = session if 20 <= len(session) <= 64 else ""
        self.new_session = "" if self.session else Csrf.new_session()
        self.flash = _read_flash(request.cookies.get(FLASH_COOKIE))

    # -- who ----------------------------------------------------------------------------------------
    @property
    def handle(self) -> Handle:
        return self.site.handle

    @property
    def marketplace(self) -> str:
        return self.site.marketplace

    @property
    def origin(self) -> str:
        return self.request.origin

    @property
    def worker_id(self) -> str | None:
        worker_id = self.request.cookies.get(WORKER_COOKIE, "")
        return worker_id if WORKER_ID(worker_id) else None

    def worker(self) -> SimulatedWorker:
        worker_id = self.worker_id
        if worker_id is None:
            raise Refused(403, "Choose a worker first, on the worker site's front page.")
        return self.handle.worker(worker_id, marketplace=self.marketplace)

    @property
    def requester(self) -> str:
        requester = self.request.headers.get("x-mturk-mock-requester") or self.request.cookies.get(REQUESTER_COOKIE)
        return requester if requester and len(requester) <= 128 else DEFAULT_REQUESTER

    def session_market(self) -> Any:
        """``with page.session_market() as (market, now)``: the settled marketplace under the lock."""
        return self.handle.world.session(self.marketplace)

    # -- answers ------------------------------------------------------------------------------------
    @functools.cached_property
    def csrf_token(self) -> str:
        return self.site.csrf.token(self.session or self.new_session)

    def require_csrf(self) -> None:
        if not self.site.csrf.valid(self.session, self.request.form.get(CSRF_FIELD)):
            raise Refused(403, "This form has expired or did not come from this site; reload the page and try again.")

    def render(self, template: str, /, *, status: int = 200, **context: Any) -> Response:
        """A page of the site; the requester's pages may not be framed at all, the worker's only by the site."""
        clock = self.handle.clock
        body = self.site.templates.render(
            template, page=self, flash=self.flash, now=clock.now(), clock_frozen=clock.frozen, **context
        )
        response = Response(status, body.encode("utf-8"))
        response.headers.extend(page_headers("'none'" if template.startswith("requester_") else "'self'"))
        if self.flash is not None:
            response.delete_cookie(FLASH_COOKIE)
        return response

    def redirect(self, location: str, notice: str | None = None, error: str | None = None) -> Response:
        response = redirect(location)
        if notice is not None or error is not None:
            kind, message = ("error", error) if error is not None else ("notice", notice)
            response.set_cookie(FLASH_COOKIE, f"{kind}:{(message or '')[:1500]}")
        return response

    def finish(self, response: Response) -> Response:
        if self.new_session:
            response.set_cookie(SESSION_COOKIE, self.new_session)
        return response


def _read_flash(value: str | None) -> tuple[str, str] | None:
    if not value or ":" not in value:
        return None
    kind, _, message = value.partition(":")
    return (kind if kind in ("notice", "error") else "notice", message)


def home(page: Page) -> Response:
    return page.render("site_home.html", section="site")


def root(page: Page) -> Response:
    return redirect(f"{SITE}/")


class WebSite:
    """The worker and requester sites over one handle and marketplace."""

    def __init__(self, handle: Handle, marketplace: str) -> None:
        from . import batch_pages, requester_actions, requester_site, submit, worker_site

        self.handle = handle
        self.marketplace = marketplace
        self.templates = Templates()
        self.csrf = Csrf()
        self.static = _load_static()
        self.routes: list[Route] = [
            Route.of("GET", r"/", root),
            Route.of("GET", r"/site/?", home),
            *worker_site.ROUTES,
            *requester_site.ROUTES,
            *requester_actions.ROUTES,
            *batch_pages.ROUTES,
            *submit.ROUTES,
        ]

    def respond(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        """Answer one request; never raises."""
        method = "GET" if method == "HEAD" else method
        try:
            request = Request.of(method, target, headers, body)
            if request.path.startswith(STATIC + "/"):
                return self._static(request.path[len(STATIC) + 1 :])
            page = Page(self, request)
            return page.finish(self._route(page))
        except Exception:
            log.exception("mturk_mock website failed on %s %s", method, target)
            return text("The mock's website failed on this request; see the server's log.\n", 500)

    def _route(self, page: Page) -> Response:
        request = page.request
        allowed: set[str] = set()
        for route in self.routes:
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            if request.method not in route.methods:
                allowed |= route.methods
                continue
            try:
                if request.method == "POST" and not getattr(route.handler, "no_csrf", False):
                    page.require_csrf()
                return route.handler(page, **{name: unquote(value) for name, value in match.groupdict().items()})
            except Refused as refused:
                return page.render("error.html", status=refused.status, message=refused.message, section="site")
        if allowed:
            response = text(f"{request.method} is not allowed here.\n", 405)
            response.headers.append(("Allow", ", ".join(sorted(allowed))))
            return response
        return page.render("error.html", status=404, message=f"There is no page at {request.path}.", section="site")

    def _static(self, name: str) -> Response:
        found = self.static.get(name)
        if found is None:
            return text("Not found\n", 404)
        content_type, content = found
        response = Response(200, content, content_type)
        response.headers += [("Cache-Control", "max-age=3600"), ("X-Content-Type-Options", "nosniff")]
        return response


def _load_static() -> dict[str, tuple[str, bytes]]:
    """The site's own assets, read once: it needs nothing from the internet."""
    found = {}
    for entry in resources.files("mturk_mock.web").joinpath("static").iterdir():
        suffix = "." + entry.name.rpartition(".")[2]
        if suffix in _STATIC_TYPES:
            found[entry.name] = (_STATIC_TYPES[suffix], entry.read_bytes())
    return found


def no_csrf(handler: Callable[..., Response]) -> Callable[..., Response]:
    """Mark a POST handler that takes posts from other origins by design (externalSubmit, the batch API)."""
    handler.no_csrf = True  # type: ignore[attr-defined]
    return handler


def quoted(value: str) -> str:
    """A path segment: IDs are plain, but requester names and worker reasons need not be."""
    return quote(value, safe="")


def iterate(items: Iterable[Any], limit: int) -> tuple[list[Any], int]:
    """The first ``limit`` items and how many there were."""
    shown, count = [], 0
    for item in items:
        count += 1
        if count <= limit:
            shown.append(item)
    return shown, count
