"""The Jinja2 environment: templates from the package, every value HTML-escaped (autoescape), compiled
once and cached. Jinja2 is the optional ``web`` extra; this is the one module that imports it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

try:
    import jinja2
except ImportError as exc:  # pragma: no cover - the `web` extra is not installed
    raise ImportError("mturk_mock's website needs Jinja2: pip install 'mturk_mock[web]'") from exc

from ..constants import DEFAULT_REQUESTER


def when(epoch: float | None) -> str:
    """A mock-clock instant as UTC, to the second."""
    if epoch is None:
        return ""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(seconds: float | int | None) -> str:
    """``90061`` -> ``1 d 1 h 1 min 1 s``; the largest units only, up to three."""
    if seconds is None:
        return ""
    left = int(seconds)
    if left <= 0:
        return "0 s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if left >= size:
            parts.append(f"{left // size} {unit}")
            left %= size
    return " ".join(parts[:3])


def money(amount: Decimal | str | None) -> str:
    return "" if amount is None else f"${Decimal(amount):,.2f}"


def requester_name(requester: str) -> str:
    return "unsigned clients (the default requester)" if requester == DEFAULT_REQUESTER else requester


def make_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("mturk_mock.web", "templates"),
        autoescape=True,  # every template, whatever its name: nothing reaches a page unescaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    environment.filters.update(when=when, duration=duration, money=money, requester=requester_name)
    return environment


class Templates:
    def __init__(self) -> None:
        self.environment = make_environment()

    def render(self, template: str, /, **context: Any) -> str:
        return self.environment.get_template(template).render(**context)
