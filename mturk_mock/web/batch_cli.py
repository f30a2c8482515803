"""``mturk-mock batch publish TEMPLATE CSV`` and ``mturk-mock batch results BATCH``: the requester site's
batches from the command line, against a running ``mturk-mock serve`` (``--url``, the default) or on a
state file (``--state``: loaded, changed and saved back, for a server that is not running; a server's state
database is changed in place through its journal)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

from ..constants import DEFAULT_REQUESTER, MARKETPLACES, SANDBOX

DEFAULT_URL = "http://127.0.0.1:8443"


def _target(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help=f"a running mturk-mock serve (default: {DEFAULT_URL})")
    where.add_argument("--state", metavar="FILE", help="work on this state file instead (made if missing)")
    parser.add_argument(
        "--marketplace", choices=MARKETPLACES, default=SANDBOX, help="with --state: the marketplace (default: sandbox)"
    )
    parser.add_argument(
        "--requester",
        help="the requester (an access key); default: $AWS_ACCESS_KEY_ID, else the default requester",
    )


def add_parser(commands: Any) -> None:
    batch = commands.add_parser(
        "batch",
        help="publish a batch of HITs from a template and a CSV file, or download its results",
        description="Batches as on the Requester website: one HIT per CSV row from an HTML template with "
        "${variable} placeholders; results in the website's batch-results CSV layout.",
    )
    actions = batch.add_subparsers(dest="batch_command", required=True, metavar="ACTION")
    publish = actions.add_parser("publish", help="publish one HIT per row of CSV from TEMPLATE")
    publish.add_argument("template", metavar="TEMPLATE", help="an HTML file with ${variable} placeholders")
    publish.add_argument("csv", metavar="CSV", help="a CSV file whose header names the variables")
    publish.add_argument("--title", required=True)
    publish.add_argument("--description", required=True)
    publish.add_argument("--reward", required=True, help="dollars per assignment, e.g. 0.05")
    publish.add_argument("--keywords")
    publish.add_argument("--assignments", type=int, default=1, help="assignments per HIT (default: 1)")
    publish.add_argument("--lifetime", type=int, default=259200, help="seconds (default: 3 days)")
    publish.add_argument("--duration", type=int, default=3600, help="seconds allotted per assignment (default: 1 h)")
    publish.add_argument("--auto-approval-delay", type=int, default=259200, help="seconds (default: 3 days)")
    publish.add_argument("--name", default="", help="the batch's name")
    _target(publish)
    results = actions.add_parser("results", help="the batch-results CSV of BATCH")
    results.add_argument("batch_id", metavar="BATCH", help="the batch number that publish printed")
    results.add_argument("--output", "-o", metavar="FILE", help="write the CSV here instead of to stdout")
    _target(results)


def _requester(args: argparse.Namespace) -> str:
    return str(args.requester or os.environ.get("AWS_ACCESS_KEY_ID") or DEFAULT_REQUESTER)


def _read(path: str) -> str:
    with open(path, encoding="utf-8-sig") as opened:
        return opened.read()


def _properties(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "title": args.title,
        "description": args.description,
        "reward": args.reward,
        "keywords": args.keywords,
        "max_assignments": args.assignments,
        "lifetime": args.lifetime,
        "assignment_duration": args.duration,
        "auto_approval_delay": args.auto_approval_delay,
    }


def _request(args: argparse.Namespace, path: str, body: bytes | None = None) -> bytes:
    headers = {"X-MTurk-Mock-Client": "1"}
    if _requester(args) != DEFAULT_REQUESTER:
        headers["X-MTurk-Mock-Requester"] = _requester(args)
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request((args.url or DEFAULT_URL).rstrip("/") + path, body, headers)
    with urllib.request.urlopen(request, timeout=60) as answer:
        content: bytes = answer.read()
        return content


def _on_state(args: argparse.Namespace) -> tuple[Any, Any]:
    """A handle on --state, and for a server's state database its journal, through which every change goes
    (the caller closes it); a JSON state file is loaded, to be saved back."""
    from ..durable import open_state, store
    from ..mock import MTurkMock

    handle = MTurkMock(marketplace=args.marketplace)
    if store.sniff(args.state) == "sqlite":  # never overwritten by a JSON file; refused while a server runs
        return handle, open_state(args.state, handle, marketplace=args.marketplace)
    if os.path.exists(args.state):
        handle.load_state(args.state)
    return handle, None


def publish(args: argparse.Namespace) -> int:
    template, rows = _read(args.template), _read(args.csv)
    if args.state is not None:
        from .batches import HITProperties
        from .batches import publish as publish_batch

        properties = HITProperties(**_properties(args))
        handle, durable = _on_state(args)
        try:
            outcome = publish_batch(handle, args.marketplace, _requester(args), template, rows, properties, args.name)
        finally:
            if durable is not None:
                durable.close()
        if durable is None:
            handle.save_state(args.state)
        batch_id, hit_ids, error = outcome.batch_id, outcome.hit_ids, outcome.error
    else:
        document = {"template": template, "csv": rows, "name": args.name, **_properties(args)}
        answer = json.loads(_request(args, "/requester/api/batches", json.dumps(document).encode()))
        batch_id, hit_ids, error = answer["batch_id"], answer["hit_ids"], answer["error"]
    print(f"batch {batch_id}: published {len(hit_ids)} HITs")
    for hit_id in hit_ids:
        print(hit_id)
    if error:
        print(f"mturk-mock: publishing stopped: {error}", file=sys.stderr)
        return 1
    return 0


def results(args: argparse.Namespace) -> int:
    if args.state is not None:
        from .batches import results_csv

        handle, durable = _on_state(args)
        try:
            text = results_csv(handle, args.marketplace, _requester(args), args.batch_id)
        finally:
            if durable is not None:
                durable.close()
    else:
        text = _request(args, f"/requester/batches/{args.batch_id}/results.csv").decode("utf-8")
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as written:
            written.write(text)
    else:
        sys.stdout.write(text)
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return publish(args) if args.batch_command == "publish" else results(args)
    except urllib.error.HTTPError as refused:
        detail = refused.read().decode("utf-8", "replace").strip()
        try:
            detail = json.loads(detail).get("error", detail)
        except (ValueError, AttributeError):
            pass
        print(f"mturk-mock: {detail}", file=sys.stderr)
    except urllib.error.URLError as failed:
        print(f"mturk-mock: cannot reach {args.url or DEFAULT_URL}: {failed.reason}", file=sys.stderr)
    except KeyError as missing:  # no such batch in a state file
        print(f"mturk-mock: {missing.args[0]}", file=sys.stderr)
    except (OSError, ValueError) as failed:  # unreadable files, a refused batch, a file that is not a state
        print(f"mturk-mock: {failed}", file=sys.stderr)
    return 1
