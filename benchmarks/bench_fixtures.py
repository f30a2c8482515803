"""What the pytest fixtures cost per test, beside moto's usual per-test pattern. Prints figures; it is not a
pass/fail test.

    python3 benchmarks/bench_fixtures.py [--tests N] [--rounds R]

Each scenario is a generated test file of N tests run by pytest in this process; a plugin reads pytest's
own timing of the setup and teardown of every test (the fixtures' work) and of the call (the test body).
The first test of a file pays the imports and is left out; the median round of R is reported (moto's
scenarios run 40 tests a round: each costs a hundred times more).

* mturk_mock: the ``mturk_mock`` fixture (a fresh, active mock);
* mturk_client: ``mturk_client`` (the mock and a client, reused across tests while no test changes it);
* a new client per test: what ``mturk_client`` cost before the pool (the mock and a new boto3 client);
* moto: ``with moto.mock_aws(): yield boto3.client(...)`` per test, the pattern moto documents
  (``moto`` is in the ``bench`` extra; moto has no MTurk, so its client is DynamoDB's);
* an empty test: pytest's own cost per test, included in every other figure.

"first call" adds the body of a test that makes one call on a fresh state: GetAccountBalance for the mock,
DynamoDB ListTables for moto.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

HEADER = """
import boto3
import pytest

from mturk_mock.pytest_plugin import make_client


@pytest.fixture
def new_client_per_test(mturk_mock):
    return make_client(mturk_mock.default_marketplace)


@pytest.fixture
def moto_client():
    import moto

    with moto.mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")

"""

MOTO_TESTS = 40  # mock_aws costs a hundred times more per test: fewer of them give a stable median
SCENARIOS: dict[str, tuple[str, str]] = {  # name: (fixtures, body)
    "empty test (pytest alone)": ("", "pass"),
    "mturk_mock": ("mturk_mock", "pass"),
    "mturk_client": ("mturk_client", "pass"),
    "mturk_client, first call": ("mturk_client", "mturk_client.get_account_balance()"),
    "a new client per test (before)": ("new_client_per_test", "pass"),
    "moto: mock_aws + client": ("moto_client", "pass"),
    "moto: mock_aws + client, first call": ("moto_client", "moto_client.list_tables()"),
}


class Timings:
    """pytest's durations of each test's phases, in microseconds."""

    def __init__(self) -> None:
        self.fixtures: list[float] = []
        self.calls: list[float] = []
        self._setup = 0.0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup":
            self._setup = report.duration
        elif report.when == "call":
            self.calls.append(report.duration * 1e6)
        else:
            self.fixtures.append((self._setup + report.duration) * 1e6)


def run(directory: Path, name: str, fixtures: str, body: str, tests: int) -> tuple[float, float]:
    path = directory / f"test_{abs(hash(name))}.py"
    source = HEADER + textwrap.dedent(
        f"""
        @pytest.mark.parametrize("index", range({tests}))
        def test_cost(index, {fixtures}):
            {body}
        """
    ).replace("(index, )", "(index)")
    path.write_text(source)
    timings = Timings()
    arguments = [str(path), "-q", "-p", "no:cacheprovider", "-p", "mturk_mock.pytest_plugin", "--no-header"]
    code = pytest.main([*arguments, "-o", "addopts="], plugins=[timings])
    if code != 0:
        raise SystemExit(f"the {name!r} scenario failed")
    return statistics.median(timings.fixtures[1:]), statistics.median(timings.calls[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    # Only the plugin measured: whatever else is installed (pytest-benchmark, hypothesis) stays out.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in SCENARIOS}
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(args.rounds):
            for name, (fixtures, body) in SCENARIOS.items():
                tests = min(args.tests, MOTO_TESTS) if name.startswith("moto") else args.tests
                results[name].append(run(Path(directory), name, fixtures, body, tests))
    rows: list[tuple[str, Any, Any]] = []
    for name, figures in results.items():
        fixtures = statistics.median(figure[0] for figure in figures)
        call = statistics.median(figure[1] for figure in figures)
        rows.append((name, fixtures, call))
    print(f"\nper test, median of {args.rounds} rounds x {args.tests} tests (us; target: mturk_client < 1000)")
    print(f"  {'':<40} {'setup + teardown':>17} {'test body':>10} {'total':>8}")
    for name, fixtures, call in rows:
        print(f"  {name:<40} {fixtures:17.0f} {call:10.0f} {fixtures + call:8.0f}")


if __name__ == "__main__":
    sys.exit(main())
