"""A durable production server in a process of its own, for tests/test_durable_crash.py to kill.

    python tests/durable_server.py STATE [--checkpoint-bytes N] [--fork] [--workers]

Serves 127.0.0.1 on a free port and prints its URL first. ``--fork``: every checkpoint is written by a
child process. ``--workers``: a thread plays simulated workers (the public simulation API, as a worker
website drives it): each takes an Assignable HIT and submits it, printing ``accepted ASSIGNMENT HIT`` and
``submitted ASSIGNMENT`` once the action has returned, that is, once it is acknowledged.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from mturk_mock import MTurkMock, MTurkServer
from mturk_mock.durable import open_state, snapshots
from mturk_mock.model.workers import WorkerError


def work(handle: MTurkMock) -> None:
    while True:
        hits = [view.hit_id for view in handle.hits() if view.status == "Assignable" and view.available]
        for hit_id in hits[-3:]:
            worker = handle.worker()
            try:
                assignment = worker.accept(hit_id)
            except WorkerError:
                continue
            print("accepted", assignment.assignment_id, hit_id, flush=True)
            assignment.submit({"answer": "yes"})
            print("submitted", assignment.assignment_id, flush=True)
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("state")
    parser.add_argument("--checkpoint-bytes", type=int)
    parser.add_argument("--fork", action="store_true")
    parser.add_argument("--workers", action="store_true")
    args = parser.parse_args()
    if args.fork:
        snapshots.FORK_BYTES = 0
    handle = MTurkMock(marketplace="production", record_calls=False)
    state = open_state(args.state, handle, checkpoint_bytes=args.checkpoint_bytes)
    for warning in state.warnings:
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    server = MTurkServer(handle, port=0).start()
    print(server.url, flush=True)
    if args.workers:
        threading.Thread(target=work, args=(handle,), daemon=True).start()
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a clean stop, as `mturk-mock serve` does
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        server.stop()
        state.close()


if __name__ == "__main__":
    main()
