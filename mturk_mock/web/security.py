"""What keeps the website's pages apart from the content they show.

* Every state-changing form of the worker and requester sites carries a CSRF token: an HMAC, under a
  secret made when the site starts, of the browser's random session cookie. A page of another origin
  (a requester's ExternalQuestion, an HTMLQuestion) cannot read it, so it cannot post actions.
* The site's pages may run only the site's own scripts and be framed only by the site itself; the
  requester pages may not be framed at all.
* HTMLQuestion content is served under a CSP ``sandbox`` (an opaque origin: no cookies or storage of the
  site, no access to its pages' DOM, no navigation of the top window without a click), may not
  fetch from the site (``connect-src https:``), and may post its form only to ``/mturk/externalSubmit``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SESSION_COOKIE = "mturk_mock_session"
CSRF_FIELD = "csrf_token"

_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class Csrf:
    """Tokens bound to a browser's session cookie."""

    def __init__(self) -> None:
        self._secret = secrets.token_bytes(32)

    @staticmethod
    def new_session() -> str:
        return secrets.token_urlsafe(24)

    def token(self, session: str) -> str:
        return hmac.new(self._secret, session.encode(), hashlib.sha256).hexdigest()

    def valid(self, session: str | None, token: str) -> bool:
        return bool(session) and hmac.compare_digest(self.token(session or ""), token)


def page_headers(framing: str = "'self'") -> list[tuple[str, str]]:
    """Headers of the site's own pages. ExternalQuestion frames load from any https origin."""
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        f"frame-src 'self' https:; form-action 'self'; frame-ancestors {framing}; base-uri 'none'; "
        "object-src 'none'"
    )
    frame_options = "DENY" if framing == "'none'" else "SAMEORIGIN"
    return [("Content-Security-Policy", policy), ("X-Frame-Options", frame_options), *_COMMON.items()]


def html_question_headers(origin: str) -> list[tuple[str, str]]:
    """Headers of a requester's HTMLQuestion content (served from the site, under its own policy)."""
    policy = (
        "sandbox allow-scripts allow-forms allow-modals allow-popups allow-top-navigation-by-user-activation; "
        "default-src https: data: blob: 'unsafe-inline' 'unsafe-eval'; "
        f"script-src https: 'unsafe-inline' 'unsafe-eval' {origin}/static/; "
        f"style-src https: 'unsafe-inline' {origin}/static/; "
        "connect-src https:; "
        f"form-action {origin}/mturk/externalSubmit; "
        f"frame-ancestors {origin}; base-uri 'none'; object-src 'none'"
    )
    return [("Content-Security-Policy", policy), *_COMMON.items()]
