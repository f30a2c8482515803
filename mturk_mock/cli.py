"""``mturk-mock serve``: the mock as an HTTP endpoint for the AWS CLI, curl and any SDK."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence

from .model.world import MARKETPLACES, SANDBOX

DEFAULT_PORT = 8443


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
    return port


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mturk-mock", description="A mock of the Amazon Mechanical Turk "
                                     "Requester API.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="answer the MTurk API over HTTP until Ctrl-C or SIGTERM",
                                description="Answer the MTurk JSON protocol over HTTP (POST / with X-Amz-Target). "
                                "Point a client at it with --endpoint-url / endpoint_url.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=_port, default=DEFAULT_PORT,
                       help="port to listen on; 0 picks a free one (default: %(default)s)")
    serve.add_argument("--marketplace", choices=MARKETPLACES, default=SANDBOX,
                       help="marketplace for requests whose Host is neither MTurk endpoint (default: %(default)s)")
    serve.add_argument("--state", metavar="FILE",
                       help="load the marketplace from FILE if it exists, and write it back on a clean shutdown")
    serve.add_argument("--verbose", "-v", action="store_true", help="log every request to stderr")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _handle(marketplace: str, state: str | None):
    from .mock import MTurkMock

    handle = MTurkMock(marketplace=marketplace)
    if state is not None and os.path.exists(state):
        handle.load_state(state)
    return handle


def serve(host: str, port: int, marketplace: str, verbose: bool = False, state: str | None = None) -> int:
    from .transport.http_server import MTurkServer

    try:
        handle = _handle(marketplace, state)
    except (OSError, ValueError) as exc:  # never start over a state file we could not read: it would be lost
        print(f"mturk-mock: cannot load state from {state}: {exc}", file=sys.stderr)
        return 1
    try:
        server = MTurkServer(handle, host=host, port=port, marketplace=marketplace, verbose=verbose)
    except OSError as exc:
        print(f"mturk-mock: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    # SIGTERM and SIGINT both end serve_forever through KeyboardInterrupt, which closes the server.
    in_main_thread = threading.current_thread() is threading.main_thread()  # only there can signals be caught
    previous = {signum: signal.signal(signum, _interrupt)
                for signum in ((signal.SIGTERM, signal.SIGINT) if in_main_thread else ())}
    try:
        print(f"mturk-mock: listening on {server.url} (marketplace {marketplace})", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if state is not None:
        try:
            handle.save_state(state)
        except OSError as exc:
            print(f"mturk-mock: cannot save state to {state}: {exc}", file=sys.stderr)
            return 1
        print(f"mturk-mock: state saved to {state}", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return serve(args.host, args.port, args.marketplace, args.verbose, args.state)
