"""Which requests belong to the website rather than to the MTurk protocol (``POST /``). Imports nothing,
so that the protocol's application can ask without loading the site."""

from __future__ import annotations

from collections.abc import Mapping

SITE, WORKER, REQUESTER, STATIC = "/site", "/worker", "/requester", "/static"
EXTERNAL_SUBMIT = "/mturk/externalSubmit"
_SECTIONS = (SITE, WORKER, REQUESTER, STATIC)


def is_site_request(method: str, route: str, headers: Mapping[str, str]) -> bool:
    """A path of the site, or a browser asking for ``/`` (sent to the site's front page)."""
    if route == EXTERNAL_SUBMIT:
        return True
    for section in _SECTIONS:
        if route.startswith(section) and (len(route) == len(section) or route[len(section)] == "/"):
            return True
    return route == "/" and method in ("GET", "HEAD") and "text/html" in headers.get("accept", "")
