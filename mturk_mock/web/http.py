"""The little HTTP the website needs: a request with its query, form fields (URL-encoded or multipart,
order and repeated names kept), uploaded files and cookies; a response with headers and cookies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import HTTP
from http import HTTPStatus
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, quote, unquote

Pairs = list[tuple[str, str]]


class Fields:
    """Form or query fields: (name, value) pairs in the order they came, names repeated for checkboxes."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self.pairs: Pairs = list(pairs)

    def get(self, name: str, default: str = "") -> str:
        for key, value in self.pairs:
            if key == name:
                return value
        return default

    def getall(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.pairs)


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: Fields
    headers: Mapping[str, str]  # by lower-case name
    body: bytes
    form: Fields = field(default_factory=Fields)
    files: dict[str, bytes] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Request:
        path, _, query = target.partition("?")
        request = cls(method, path, Fields(parse_qsl(query, keep_blank_values=True)), headers, body)
        request.cookies = _cookies(headers.get("cookie", ""))
        if method == "POST":
            request.form, request.files = parse_body(headers.get("content-type", ""), body)
        return request

    @property
    def host(self) -> str:
        return self.headers.get("host") or "127.0.0.1"

    @property
    def origin(self) -> str:
        """The site's own origin as the browser addressed it: the base of turkSubmitTo and of the CSP."""
        return f"http://{self.host}"


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is ignored, as browsers ignore malformed cookies
        return {}
    return {name: unquote(morsel.value) for name, morsel in jar.items()}


def parse_body(content_type: str, body: bytes) -> tuple[Fields, dict[str, bytes]]:
    """Fields of a URL-encoded or multipart/form-data body, and the files of a multipart one by field name."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "multipart/form-data":
        return _multipart(content_type, body)
    if kind in ("application/x-www-form-urlencoded", ""):
        return Fields(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)), {}
    return Fields(), {}


def _multipart(content_type: str, body: bytes) -> tuple[Fields, dict[str, bytes]]:
    message = message_from_bytes(f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body, policy=HTTP)
    pairs: Pairs = []
    files: dict[str, bytes] = {}
    if not message.is_multipart():
        return Fields(), {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            files[name] = content
        else:
            pairs.append((name, content.decode("utf-8", "replace")))
    return Fields(pairs), files


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)

    def set_cookie(self, name: str, value: str, *, http_only: bool = True, max_age: int | None = None) -> None:
        """A site cookie: whole site, SameSite=Lax (sent on top-level navigations only), HttpOnly."""
        parts = [f"{name}={quote(value, safe='')}", "Path=/", "SameSite=Lax"]
        if http_only:
            parts.append("HttpOnly")
        if max_age is not None:
            parts.append(f"Max-Age={max_age}")
        self.headers.append(("Set-Cookie", "; ".join(parts)))

    def delete_cookie(self, name: str) -> None:
        self.set_cookie(name, "", max_age=0)

    @property
    def status_line(self) -> str:
        try:
            return f"{self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return f"{self.status} Error"


def redirect(location: str, status: int = 303) -> Response:
    """See Other: after a POST the browser loads ``location`` with GET (no resubmission on reload)."""
    response = Response(status, b"", "text/plain; charset=utf-8")
    response.headers.append(("Location", location))
    return response


def text(body: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Response:
    return Response(status, body.encode("utf-8"), content_type)
