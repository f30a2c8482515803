"""The requester site's batches: publish a template with a CSV file, follow the batch, download its results.
``POST /requester/api/batches`` is the same for ``mturk-mock batch publish`` (JSON; a custom header, which
no other site's page can send without a CORS preflight the site never grants, stands for the CSRF token).
"""

from __future__ import annotations

import json
from typing import Any

from .batches import BatchRefused, HITProperties, Published, publish, results_csv, reward_total
from .http import Fields, Response, text
from .site import Page, Refused, Route, no_csrf, quoted

CLIENT_HEADER = "x-mturk-mock-client"


def _properties(values: Any) -> HITProperties:
    """HIT properties from a form (``Fields``) or a JSON object (a dict)."""

    def get(name: str) -> str:
        value = values.get(name) if isinstance(values, dict) else values.get(name, "")
        return "" if value is None else str(value).strip()

    def number(name: str, default: int) -> int:
        value = get(name)
        if not value:
            return default
        try:
            return int(value)
        except ValueError:
            raise BatchRefused(f"{name} must be a whole number, not {value!r}.") from None

    defaults = HITProperties("", "", "")
    return HITProperties(
        title=get("title"),
        description=get("description"),
        reward=get("reward"),
        max_assignments=number("max_assignments", defaults.max_assignments),
        lifetime=number("lifetime", defaults.lifetime),
        assignment_duration=number("assignment_duration", defaults.assignment_duration),
        auto_approval_delay=number("auto_approval_delay", defaults.auto_approval_delay),
        keywords=get("keywords") or None,
    )


def batches(page: Page) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        listed = [
            {"batch": batch, "hits": len(batch.rows), "rewards": reward_total(batch, market)}
            for batch in market.batches.of_owner(requester)
        ]
    return page.render("requester_batches.html", section="requester", batches=listed, posted=Fields())


def _text_of(page: Page, name: str) -> str:
    """A form field, or the file uploaded under ``<name>_file`` when one was chosen."""
    upload = page.request.files.get(f"{name}_file")
    if upload:
        try:
            return upload.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BatchRefused(f"The {name} file is not UTF-8 text.") from None
    return page.request.form.get(name)


def create_batch(page: Page) -> Response:
    form = page.request.form
    try:
        outcome = publish(
            page.handle,
            page.marketplace,
            page.requester,
            _text_of(page, "template"),
            _text_of(page, "csv"),
            _properties(form),
            form.get("name").strip(),
        )
    except BatchRefused as refused:
        return page.redirect("/requester/batches", error=str(refused))
    return _published(page, outcome)


def _published(page: Page, outcome: Published) -> Response:
    location = f"/requester/batches/{quoted(outcome.batch_id)}"
    if outcome.error:
        return page.redirect(location, error=f"Published {len(outcome.hit_ids)} HITs, then: {outcome.error}")
    return page.redirect(location, notice=f"Published {len(outcome.hit_ids)} HITs.")


def batch_page(page: Page, batch_id: str) -> Response:
    requester = page.requester
    with page.session_market() as (market, _now):
        try:
            batch = market.batches.owned(batch_id, requester)
        except KeyError as missing:
            raise Refused(404, missing.args[0]) from None
        rows = []
        submitted = 0
        for hit_id, values in batch.rows:
            hit = market.hits.by_id.get(hit_id)
            if hit is None:
                continue
            done = len(market.assignments.listing(hit_id))
            submitted += done
            rows.append({"hit": hit, "inputs": dict(zip(batch.columns, values, strict=True)), "done": done})
    return page.render("requester_batch.html", section="requester", batch=batch, rows=rows, submitted=submitted)


def download(page: Page, batch_id: str) -> Response:
    try:
        body = results_csv(page.handle, page.marketplace, page.requester, batch_id)
    except KeyError as missing:
        return text(f"{missing.args[0]}\n", 404)
    response = Response(200, body.encode("utf-8"), "text/csv; charset=utf-8")
    response.headers.append(("Content-Disposition", f'attachment; filename="Batch_{batch_id}_batch_results.csv"'))
    response.headers.append(("Cache-Control", "no-store"))
    return response


@no_csrf
def api_publish(page: Page) -> Response:
    """``mturk-mock batch publish`` against a running server: a JSON request, a JSON answer."""
    if page.request.headers.get(CLIENT_HEADER) != "1":
        return text(f"Send the {CLIENT_HEADER} header (this endpoint is for mturk-mock batch publish).\n", 403)
    try:
        document = json.loads(page.request.body or b"{}")
        if not isinstance(document, dict):
            raise BatchRefused("Send a JSON object.")
        outcome = publish(
            page.handle,
            page.marketplace,
            page.requester,
            str(document.get("template", "")),
            str(document.get("csv", "")),
            _properties(document),
            str(document.get("name") or ""),
        )
    except (BatchRefused, ValueError) as refused:
        return _json({"error": str(refused)}, 400)
    return _json({"batch_id": outcome.batch_id, "hit_ids": outcome.hit_ids, "error": outcome.error})


def _json(document: dict[str, Any], status: int = 200) -> Response:
    return Response(status, json.dumps(document).encode(), "application/json")


_ID = r"(?P<batch_id>[0-9]+)"
ROUTES = [
    Route.of("GET", r"/requester/batches/?", batches),
    Route.of("POST", r"/requester/batches", create_batch),
    Route.of("GET", rf"/requester/batches/{_ID}", batch_page),
    Route.of("GET", rf"/requester/batches/{_ID}/results\.csv", download),
    Route.of("POST", r"/requester/api/batches", api_publish),
]
