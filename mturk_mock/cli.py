"""``mturk-mock serve``: the mock as an HTTP endpoint for the AWS CLI, curl and any SDK."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .constants import MARKETPLACES, SANDBOX
from .web import batch_cli

if TYPE_CHECKING:
    from .durable import DurableState
    from .mock import MTurkMock
    from .transport.http_server import MTurkServer

DEFAULT_PORT = 8443


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
    return port


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    from . import __version__

    try:
        botocore = installed("botocore")
    except PackageNotFoundError:  # pragma: no cover - botocore is a dependency
        botocore = "missing"
    return f"mturk-mock {__version__} (botocore {botocore}, Python {sys.version.split()[0]})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mturk-mock", description="A mock of the Amazon Mechanical Turk Requester API."
    )
    parser.add_argument("--version", action="version", version=version())
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="answer the MTurk API over HTTP until Ctrl-C or SIGTERM",
        description="Answer the MTurk JSON protocol over HTTP (POST / with X-Amz-Target). "
        "Point a client at it with --endpoint-url / endpoint_url. A browser finds the worker and requester "
        "website at /site/.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help="port to listen on; 0 picks a free one (default: %(default)s)"
    )
    serve.add_argument(
        "--marketplace",
        choices=MARKETPLACES,
        default=SANDBOX,
        help="marketplace for requests whose Host is neither MTurk endpoint (default: %(default)s)",
    )
    serve.add_argument(
        "--state",
        metavar="FILE",
        help="keep the marketplace durable in FILE (an SQLite journal): every acknowledged change survives a "
        "crash; a JSON state file (save_state) is imported",
    )
    serve.add_argument(
        "--sync",
        choices=("full", "normal"),
        default="full",
        help="with --state: full (default) survives a crash of the machine, normal only of the process "
        "(faster on slow disks)",
    )
    serve.add_argument(
        "--faults",
        metavar="JSON|FILE",
        help="inject faults: a faults document (rules, rate_limit, credentials, access_keys; see README), "
        "inline or in FILE; change them later with POST /_mturk_mock/faults",
    )
    serve.add_argument(
        "--search-lag",
        type=float,
        metavar="SECONDS",
        help="created or updated qualification types, and new HITs, show in searches only after SECONDS on the "
        "mock clock",
    )
    serve.add_argument(
        "--sqs-endpoint",
        metavar="URL",
        help="deliver SQS event notifications to this SQS-compatible server (moto, ElasticMQ, LocalStack)",
    )
    serve.add_argument(
        "--sns-endpoint",
        metavar="URL",
        help="deliver SNS event notifications to this SNS-compatible server (moto, LocalStack)",
    )
    serve.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="log every request to stderr: operation, requester, marketplace, status, error code and why",
    )
    operations = commands.add_parser(
        "operations",
        help="list the MTurk operations and which ones the mock implements",
        description="Every operation of the MTurk service model, implemented or not.",
    )
    operations.add_argument("--json", action="store_true", help="print JSON for machines")
    batch_cli.add_parser(commands)
    return parser


def operation_table() -> list[dict[str, Any]]:
    """One row per operation of the botocore service model: name, implemented, and the registry's record."""
    from .service.registry import OPERATIONS
    from .service.service_model import operation_names

    rows = []
    for name in sorted(operation_names()):
        operation = OPERATIONS.get(name)
        row: dict[str, Any] = {"operation": name, "implemented": operation is not None}
        if operation is not None:
            row["writes"] = operation.writes
            row["needs"] = sorted(operation.needs)
            if operation.pagination is not None:
                row["pagination"] = {"result": operation.pagination.result_key, "order": operation.pagination.order}
        rows.append(row)
    return rows


def operations(as_json: bool) -> int:
    rows = operation_table()
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    width = max(len(row["operation"]) for row in rows)
    for row in rows:
        detail = ""
        if "pagination" in row:
            detail = f"  pages {row['pagination']['result']} in {row['pagination']['order']}"
        print(f"{row['operation']:<{width}}  {'implemented' if row['implemented'] else 'not implemented'}{detail}")
    implemented = sum(row["implemented"] for row in rows)
    print(f"{implemented} of {len(rows)} operations implemented")
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _handle(marketplace: str, endpoints: dict[str, str | None]) -> MTurkMock:
    from .mock import MTurkMock

    return MTurkMock(
        marketplace=marketplace, sqs_endpoint=endpoints["sqs_endpoint"], sns_endpoint=endpoints["sns_endpoint"]
    )


def _durable(handle: MTurkMock, state: str, marketplace: str, sync: str) -> DurableState:
    from .durable import open_state

    started = time.perf_counter()
    durable = open_state(state, handle, marketplace=marketplace, sync=sync)
    durable.load_seconds = time.perf_counter() - started
    for warning in durable.warnings:  # at once: the operator must see them even if serving fails
        print(f"mturk-mock: warning: {warning}", file=sys.stderr, flush=True)
    return durable


def _describe(durable: DurableState) -> None:
    """After the listening line (which scripts read first): where the state came from."""
    if durable.imported:
        print(f"mturk-mock: imported the state file {durable.path} (a copy is in {durable.imported})", flush=True)
    print(f"mturk-mock: state loaded from {durable.path} in {durable.load_seconds:.2f} s", flush=True)


def _configure(handle: MTurkMock, faults: str | None, search_lag: float | None) -> None:
    from .transport import control

    if search_lag is not None:  # after a loaded state, whose settings it overrides
        handle.world.set_search_lag(search_lag)
    if faults is not None:
        control.configure(handle.faults, control.read_document(faults))


def serve(
    host: str,
    port: int,
    marketplace: str,
    verbose: bool = False,
    state: str | None = None,
    faults: str | None = None,
    search_lag: float | None = None,
    sqs_endpoint: str | None = None,
    sns_endpoint: str | None = None,
    sync: str = "full",
) -> int:
    try:
        from .transport.http_server import MTurkServer
    except ImportError as exc:  # the `server` extra (waitress) is not installed
        print(f"mturk-mock: {exc}", file=sys.stderr)
        return 1
    from .transport.delivery import check_endpoint

    try:
        endpoints = {
            "sqs_endpoint": check_endpoint("--sqs-endpoint", sqs_endpoint),
            "sns_endpoint": check_endpoint("--sns-endpoint", sns_endpoint),
        }
    except ValueError as exc:
        print(f"mturk-mock: {exc}", file=sys.stderr)
        return 1
    handle = _handle(marketplace, endpoints)
    durable = None
    if state is not None:
        from .state_file import check_writable

        try:  # now, before anything is acknowledged; a directory is refused by open_state, saying why
            if not os.path.isdir(state):
                check_writable(state)
        except OSError as exc:
            print(f"mturk-mock: cannot write state to {state}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        try:
            durable = _durable(handle, state, marketplace, sync)
        except (OSError, ValueError) as exc:  # never start over a state we could not read: it would be lost
            print(f"mturk-mock: cannot load state from {state}: {exc}", file=sys.stderr)
            return 1
    try:
        _configure(handle, faults, search_lag)
    except (OSError, ValueError, TypeError) as exc:
        print(f"mturk-mock: bad fault options: {exc}", file=sys.stderr)
        return _closed(durable, 1)
    try:
        server = MTurkServer(handle, host=host, port=port, marketplace=marketplace, verbose=verbose)
    except OSError as exc:
        print(f"mturk-mock: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return _closed(durable, 1)
    return _run(server, marketplace, verbose, endpoints, durable)


def _closed(durable: DurableState | None, status: int) -> int:
    if durable is not None:
        durable.close()
    return status


def _run(
    server: MTurkServer, marketplace: str, verbose: bool, endpoints: dict[str, str | None], durable: DurableState | None
) -> int:
    # SIGTERM and SIGINT both end the wait below through KeyboardInterrupt, which closes the server.
    in_main_thread = threading.current_thread() is threading.main_thread()  # only there can signals be caught
    previous = {
        signum: signal.signal(signum, _interrupt)
        for signum in ((signal.SIGTERM, signal.SIGINT) if in_main_thread else ())
    }
    status = 0
    try:
        logging = "" if verbose else "; -v logs every request"
        website = f"; website {server.website_url}" if server.website_url else "; no website: needs Jinja2"
        print(f"mturk-mock: listening on {server.url} (marketplace {marketplace}{logging}){website}", flush=True)
        for name, url in endpoints.items():
            if url is not None:
                print(f"mturk-mock: {name[:3].upper()} notifications go to {url}", flush=True)
        if durable is not None:
            _describe(durable)
        server.start()
        while durable is None or durable.failed is None:
            time.sleep(0.25)
        print(f"mturk-mock: the state journal failed ({durable.failed}); stopping", file=sys.stderr, flush=True)
        status = 1
    except KeyboardInterrupt:
        pass
    finally:
        # Shutting down: a second Ctrl-C must not interrupt the stop or the checkpoint (no traceback, no loss).
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)
        try:
            server.stop()
            if durable is not None:
                _close(durable)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
    return status


def _close(durable: DurableState) -> None:
    """Stop journaling, after a last checkpoint (what was acknowledged is in the journal already)."""
    healthy = durable.failed is None
    if healthy:
        print("mturk-mock: saving state...", flush=True)
    try:
        durable.close()
    except Exception as exc:
        print(f"mturk-mock: cannot checkpoint the state in {durable.path}: {exc}", file=sys.stderr)
        return
    if healthy and durable.failed is None:
        print(f"mturk-mock: state saved to {durable.path}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "operations":
        return operations(args.json)
    if args.command == "batch":
        return batch_cli.run(args)
    return serve(
        args.host,
        args.port,
        args.marketplace,
        args.verbose,
        args.state,
        args.faults,
        args.search_lag,
        args.sqs_endpoint,
        args.sns_endpoint,
        args.sync,
    )
