"""The benchmarks keep running as the model changes under them: each runs here at a tiny size (their
figures are not checked; `python3 benchmarks/...` prints them at full size)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .test_registry import ROOT, _benchmark


@pytest.fixture(scope="module")
def bench_pagination():
    return _benchmark("bench_pagination")


def test_pagination_benchmark_measures_every_listing(bench_pagination):
    for listing in bench_pagination.LISTINGS:
        row = bench_pagination.measure(listing, items=300, deep=250, page=10, calls=1, rounds=1)
        assert row["label"] == listing.label and row["size"] >= 300, row  # the deep token was checked inside
        assert row["first_us"] > 0 and row["deep_us"] > 0


@pytest.mark.parametrize(
    "script, arguments, expected",
    [
        (
            "bench_scale.py",
            ["--workers", "300", "--types", "3", "--per-worker", "2", "--calls", "2", "--rounds", "1"],
            "deep page vs first page",
        ),
        ("bench_foundation.py", ["--only", "GetAccountBalance", "--calls", "2", "--rounds", "1"], "activate"),
        ("bench_async.py", ["--only", "GetAccountBalance", "--calls", "2", "--rounds", "1"], "AioStubber"),
        ("bench_hits_scale.py", ["--hits", "200", "--calls", "2", "--rounds", "1"], "per HIT that changed"),
        ("bench_crowd.py", ["--workers", "50", "--scale", "100", "--rounds", "1"], "per worker"),
        ("bench_website.py", ["--hits", "50", "--rounds", "1"], "/mturk/externalSubmit"),
        ("bench_server.py", ["--levels", "1", "--seconds", "0.2", "--no-moto", "--kinds", "raw"], "req/s"),
        ("bench_fixtures.py", ["--tests", "5", "--rounds", "1"], "moto: mock_aws + client"),
        (
            "bench_durable.py",
            ["--clients", "2", "--seconds", "0.1", "--rounds", "1", "--grants", "2000", "--hits", "50"],
            "no checkpoint",
        ),
    ],
)
def test_the_other_benchmarks_run(script, arguments, expected, tmp_path):
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *arguments],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout
    assert list(tmp_path.iterdir()) == []  # what a benchmark writes goes to a temporary directory it removes
