"""The MTurk JSON protocol over HTTP as a pure function and a WSGI callable: (method, path, headers, body)
-> (status, headers, body), over the request pipeline every transport uses. No sockets here: the server
(``http_server.py``) frames the bytes, this module decides the answer, so it is testable without a network.

The requester is the access key of the SigV4 ``Authorization`` header (signatures are not verified); the
marketplace is the one the ``Host`` header names, else the application's own. Anything malformed gets a
JSON error body as AWS sends them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

from ..constants import DEFAULT_REQUESTER, TARGET_PREFIX
from ..model import errors
from ..model.errors import MTurkError
from ..model.hits import uploads
from ..web.paths import is_site_request
from . import control
from .pipeline import Answer, Handle, handle_request, refuse
from .protocol import CONTENT_TYPE, encode_body, error_body, http_date, marketplace_for_host

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from ..web.site import WebSite

log = logging.getLogger("mturk_mock")

MAX_BODY_BYTES = 1 << 20
# WSGI environ key: the answer wants the connection closed (a WSGI application may not send hop-by-hop headers)
CLOSE = "mturk_mock.close"
# WSGI environ key: on a durable server, the journal entry that must be on disk before the answer is sent
HOLD = "mturk_mock.hold"
_TARGET = TARGET_PREFIX + "."
_CREDENTIAL = "Credential="
_KEY = re.compile(r"([^/,\s]+)/")  # one match attempt, anchored: linear
_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


def requester_from(authorization: str | None) -> str:
    """The access key of a SigV4 Authorization header; the default requester when unsigned or unparseable.

    Linear in the header's length (a backtracking pattern here took seconds on a 64 KB header): the first
    ``Credential=`` at a word boundary after an ``AWS4-`` scheme, up to the first ``/``.
    """
    parts = (authorization or "").split(None, 1)
    if len(parts) != 2 or not parts[0].startswith("AWS4-"):
        return DEFAULT_REQUESTER
    rest, start = parts[1], 0
    while (index := rest.find(_CREDENTIAL, start)) >= 0:
        if index == 0 or not _is_word(rest[index - 1]):
            found = _KEY.match(rest, index + len(_CREDENTIAL))
            return found.group(1) if found else DEFAULT_REQUESTER
        start = index + 1
    return DEFAULT_REQUESTER


def _is_word(character: str) -> bool:
    return character.isalnum() or character == "_"


def marketplace_from(host: str | None, default: str) -> str:
    """sandbox or production when the Host header names its endpoint (any port), else ``default``."""
    return marketplace_for_host(host) or default


def operation_from(target: str | None) -> str:
    if target is None or not target.startswith(_TARGET) or target == _TARGET:
        message = (
            "Missing X-Amz-Target header"
            if target is None
            else f"X-Amz-Target {target!r} does not name an operation of {_TARGET}<Operation>"
        )
        raise errors.UNKNOWN_OPERATION(message=message)
    return target[len(_TARGET) :]


@dataclass(slots=True)
class HttpAnswer:
    status: int
    headers: list[tuple[str, str]]  # never hop-by-hop: ``close`` says whether to end the connection
    body: bytes
    close: bool = False
    call: Answer | None = None  # the MTurk call it answers (None for HTTP refusals and control requests)
    caller: tuple[str, str, str] = ("-", "-", "-")  # (operation, requester, marketplace), for the log line

    @property
    def status_line(self) -> str:
        return _STATUS_LINES.get(self.status) or f"{self.status} Error"


class MTurkApp:
    """The protocol over one handle: ``respond`` for plain values, ``__call__`` for WSGI servers."""

    def __init__(self, handle: Handle, marketplace: str, verbose: bool = False) -> None:
        self.handle = handle
        self.marketplace = marketplace
        self.verbose = verbose
        self._site: WebSite | None = None  # the worker and requester website, built on its first request
        self.site_problem = website_problem()  # why there is no website (Jinja2 missing), or None

    def respond(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        """Answer one request; ``headers`` by lower-case name. Never raises for anything a client can send."""
        try:
            return self._respond(method, path, headers, body)
        except Exception as exc:
            log.exception("mturk_mock server failed on %s %s", method, path)
            return self.refusal(errors.SERVICE_ERROR(message=f"mturk_mock server error: {exc!r}"), close=True)

    def _respond(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        if is_site_request(method, path.partition("?")[0], headers):
            return self._site_answer(method, path, headers, body)
        journal = self.handle.world.journal
        if journal is not None and journal.failed is not None:
            message = f"The server's state journal failed ({journal.failed}); the server must be restarted"
            return self.refusal(errors.http_refusal(503, message), close=True)
        if method in ("GET", "HEAD") and path.startswith(uploads.PATH_PREFIX):
            return self._uploaded_file(path)
        if method != "POST":
            message = f"Method {method} is not allowed; MTurk requests are POST /"
            return self.refusal(errors.HTTP_METHOD_NOT_ALLOWED(message=message), ("Allow", "POST"), close=True)
        if "transfer-encoding" in headers:
            message = "Send the body with a Content-Length header; chunked bodies are not supported"
            return self.refusal(errors.HTTP_LENGTH_REQUIRED(message=message), close=True)
        if len(body) > MAX_BODY_BYTES:
            return self.refusal(too_large(len(body)))
        route = path.partition("?")[0]
        if route.startswith(control.CONTROL_PREFIX):  # the mock's own control endpoint, not an MTurk call
            world = self.handle.world
            status, answer_body = control.http_answer(self.handle.faults, route, body)
            control_headers = _headers(world.ids.request_id(), answer_body, http_date(world.clock.now()))
            return HttpAnswer(status, control_headers, answer_body)
        if route != "/":
            return self.refusal(errors.HTTP_NOT_FOUND(message=f"No MTurk endpoint at {path!r}; POST to /"))
        marketplace = marketplace_from(headers.get("host"), self.marketplace)
        requester = requester_from(headers.get("authorization"))
        target = headers.get("x-amz-target")
        body = body if body.strip() else b"{}"
        # The call is logged before the answer is written, so a client that has its answer finds it in the log.
        try:
            operation = operation_from(target)
        except MTurkError as error:
            operation = target or "-"
            answer = refuse(self.handle, marketplace, requester, target or "", body, error)
        else:
            answer = handle_request(self.handle, marketplace, requester, operation, body)
        wire_headers = _headers(answer.request_id, answer.body, answer.headers["date"])
        return HttpAnswer(
            answer.status, wire_headers, answer.body, call=answer, caller=(operation, requester, marketplace)
        )

    def _site_answer(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> HttpAnswer:
        """A page of the website (``mturk_mock.web``); the MTurk protocol never reaches here."""
        if self.site_problem is not None:
            text = f"mturk_mock's website is not available: {self.site_problem}\n".encode()
            plain = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(text)))]
            return HttpAnswer(501, plain, text)
        if self._site is None:
            from ..web.site import WebSite

            self._site = WebSite(self.handle, self.marketplace)  # type: ignore[arg-type]
        page = self._site.respond(method, target, dict(headers), body)
        page_headers = [("Content-Type", page.content_type), ("Content-Length", str(len(page.body))), *page.headers]
        return HttpAnswer(page.status, page_headers, page.body)

    def _uploaded_file(self, path: str) -> HttpAnswer:
        """A GetFileUploadURL URL's path: the file, 403 once expired (as S3 answers), 404 otherwise."""
        try:
            status, content_type, body = 200, "application/octet-stream", uploads.read_file(self.handle.world, path)
        except uploads.UploadUnavailable as unavailable:
            status, content_type = 403 if unavailable.expired else 404, "text/plain; charset=utf-8"
            body = unavailable.reason.encode() + b"\n"
        world = self.handle.world
        headers = _headers(world.ids.request_id(), body, http_date(world.clock.now()))
        headers[1] = ("Content-Type", content_type)
        return HttpAnswer(status, headers, body)

    def refusal(self, error: MTurkError, *extra: tuple[str, str], close: bool = False) -> HttpAnswer:
        """An HTTP-level refusal: the request never became an MTurk call, so it is not in the call log."""
        world = self.handle.world
        body = encode_body(error_body(error, world.clock.now_ms()))
        headers = _headers(world.ids.request_id(), body, http_date(world.clock.now()))
        return HttpAnswer(error.spec.status, headers + list(extra), body, close)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO") or "/"
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        journal = self.handle.world.journal
        refused = journal is not None and journal.failed is not None  # then answered 503: nothing to hold
        declared = environ.get("CONTENT_LENGTH") or "0"
        length = int(declared) if declared.isdigit() else -1
        if length > MAX_BODY_BYTES:
            answer = self.refusal(too_large(length))  # the server has read the body: the connection stays in step
        elif length < 0:
            answer = self.refusal(errors.HTTP_BAD_REQUEST(message=f"Content-Length {declared!r} is not a byte count"))
            answer.close = True
        else:
            body = environ["wsgi.input"].read(length) if length else b""
            answer = self.respond(method, path, _request_headers(environ), body)
        if journal is not None and not refused and journal.appended > journal.durable:
            # nothing this answer shows may still be lost: it waits for the disk (and is never sent if the
            # journal fails meanwhile, even after the answer was computed)
            environ[HOLD] = journal.appended
        if answer.close:
            environ[CLOSE] = True
        start_response(answer.status_line, answer.headers)
        if self.verbose:
            sys.stderr.write(log_line(environ.get("REMOTE_ADDR", "-"), method, path, answer) + "\n")
        return [] if method == "HEAD" else [answer.body]


def log_line(address: str, method: str, path: str, answer: HttpAnswer) -> str:
    """``127.0.0.1 POST / CreateHIT requester=AKIA... marketplace=sandbox 400 ParameterValidationError: <detail>``:
    what happened to one request, with the reason the wire answer does not give."""
    operation, requester, marketplace = answer.caller
    line = f"{address} {method} {path} {operation} requester={requester} marketplace={marketplace} {answer.status}"
    if answer.status >= 300:
        code = _error_code(answer.call.wire if answer.call is not None else None, answer.body)
        detail = answer.call.detail if answer.call is not None else None
        line += f" {code}" + (f": {detail}" if detail else "")
    return line


def _error_code(wire: Mapping[str, object] | None, body: bytes) -> str:
    if wire is None:
        try:
            wire = json.loads(body)
        except ValueError:
            return "-"
    code = wire.get("__type") if isinstance(wire, Mapping) else None
    return str(code).rpartition("#")[2] if code else "-"


def website_problem() -> str | None:
    """Why the website cannot be served (its Jinja2 is missing), or None."""
    try:
        import jinja2  # noqa: F401
    except ImportError:
        return "it needs Jinja2: pip install 'mturk_mock[web]'"
    return None


def too_large(length: int) -> MTurkError:
    return errors.HTTP_TOO_LARGE(message=f"The request body is {length} bytes; the limit is {MAX_BODY_BYTES} bytes")


def _headers(request_id: str, body: bytes, date: str) -> list[tuple[str, str]]:
    return [
        ("x-amzn-RequestId", request_id),
        ("Content-Type", CONTENT_TYPE),
        ("Content-Length", str(len(body))),
        ("Date", date),
    ]


_WANTED = {
    "HTTP_HOST": "host",
    "HTTP_AUTHORIZATION": "authorization",
    "HTTP_X_AMZ_TARGET": "x-amz-target",
    "HTTP_TRANSFER_ENCODING": "transfer-encoding",
    # the website's
    "HTTP_ACCEPT": "accept",
    "HTTP_COOKIE": "cookie",
    "CONTENT_TYPE": "content-type",
    "HTTP_X_MTURK_MOCK_CLIENT": "x-mturk-mock-client",
    "HTTP_X_MTURK_MOCK_REQUESTER": "x-mturk-mock-requester",
}


def _request_headers(environ: WSGIEnvironment) -> dict[str, str]:
    return {name: environ[key] for key, name in _WANTED.items() if key in environ}
