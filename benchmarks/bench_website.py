"""The website's pages and /mturk/externalSubmit, timed through the WSGI application (no sockets), in a
marketplace of many HITs: what a page costs to read the model and render.

    python3 -m pip install '.[web]' && python3 benchmarks/bench_website.py [--hits 10000] [--rounds 50]

Prints the median time per request. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlencode

from mturk_mock import MTurkMock
from mturk_mock.transport.http_app import MTurkApp
from mturk_mock.transport.pipeline import handle_request

QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/'
    'ExternalQuestion.xsd"><ExternalURL>https://tasks.example.org/x</ExternalURL><FrameHeight>0</FrameHeight>'
    "</ExternalQuestion>"
)
REQUESTER = "AKIABENCH"


def _median_ms(action: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hits", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    handle = MTurkMock()
    handle.clock.freeze()
    request = {
        "Title": "Label",
        "Description": "d",
        "Reward": "0.05",
        "MaxAssignments": 1000,
        "LifetimeInSeconds": 86400,
        "AssignmentDurationInSeconds": 3600,
        "Question": QUESTION,
    }
    body = json.dumps(request).encode()
    started = time.perf_counter()
    hit_ids = [
        handle_request(handle, "sandbox", REQUESTER, "CreateHIT", body).wire["HIT"]["HITId"] for _ in range(args.hits)
    ]
    print(f"{args.hits} HITs made in {time.perf_counter() - started:.1f} s")
    hit_id = hit_ids[0]
    for number in range(20):
        handle.worker(f"A{number:013d}").accept(hit_id).submit({"label": f"answer {number}"})
    app = MTurkApp(handle, "sandbox")
    worker_cookie = "mturk_mock_worker=A1BENCHWORKER"
    requester_cookie = f"mturk_mock_requester={REQUESTER}"
    handle.worker("A1BENCHWORKER")

    def get(path: str, cookie: str) -> None:
        answer = app.respond("GET", path, {"cookie": cookie, "host": "127.0.0.1"}, b"")
        assert answer.status == 200, (path, answer.status)

    pages = {
        "worker: HITs available (first 200 listed)": ("/worker/", worker_cookie),
        "worker: preview of an ExternalQuestion": (f"/worker/hits/{hit_ids[-1]}", worker_cookie),
        "requester: HITs (newest 200 listed)": ("/requester/hits", requester_cookie),
        "requester: a HIT with 20 assignments": (f"/requester/hits/{hit_id}", requester_cookie),
        "requester: event log": ("/requester/events", requester_cookie),
    }
    print(f"median of {args.rounds} requests, {args.hits} HITs in the marketplace")
    for name, (path, cookie) in pages.items():
        get(path, cookie)  # templates compile on first use
        print(f"  {name:<48} {_median_ms(lambda p=path, c=cookie: get(p, c), args.rounds):8.2f} ms")

    worker = handle.worker("A2BENCHWORKER")
    assignments = iter([worker.accept(hit).assignment_id for hit in hit_ids[1 : args.rounds + 1]])

    def submit() -> None:
        form = urlencode({"assignmentId": next(assignments), "label": "cat", "comment": "fine"}).encode()
        headers = {"content-type": "application/x-www-form-urlencoded", "host": "127.0.0.1"}
        answer = app.respond("POST", "/mturk/externalSubmit", headers, form)
        assert answer.status == 303, answer.body

    print(f"  {'/mturk/externalSubmit (a form post)':<48} {_median_ms(submit, args.rounds):8.2f} ms")


if __name__ == "__main__":
    main()
