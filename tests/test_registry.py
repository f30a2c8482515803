"""The registry of operations is the one list everything else follows (issue 11, requirement 1):
`mturk-mock operations`, the README's table, the benchmark scenarios and the wire scenarios.

Every check derives from ``OPERATIONS``: an operation added to the registry fails this module until the
README, ``benchmarks/scenarios.py`` and ``tests/wire_scenarios.py`` name it too.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import subprocess
import sys

import pytest

from mturk_mock.service.registry import OPERATIONS
from mturk_mock.service.service_model import operation_names, service_model

from .wire_scenarios import SUCCESS_SCENARIOS

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVICE_OPERATIONS = 39  # botocore's MTurk model (2017-01-17)


def _cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "mturk_mock", "operations", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_registry_names_only_real_operations():
    assert set(OPERATIONS) <= operation_names(), sorted(set(OPERATIONS) - operation_names())
    assert all(name == operation.name for name, operation in OPERATIONS.items())
    assert len(operation_names()) == SERVICE_OPERATIONS


def test_operations_json_lists_every_operation_with_the_registrys_flags():
    rows = json.loads(_cli("--json"))
    names = [row["operation"] for row in rows]
    assert names == sorted(operation_names()) and len(names) == SERVICE_OPERATIONS
    assert {row["operation"] for row in rows if row["implemented"]} == set(OPERATIONS)
    for row in rows:
        operation = OPERATIONS.get(row["operation"])
        if operation is None:
            assert set(row) == {"operation", "implemented"}, row
            continue
        assert row["writes"] == operation.writes
        assert row["needs"] == sorted(operation.needs)
        if operation.pagination is None:
            assert "pagination" not in row
        else:
            assert row["pagination"] == {
                "result": operation.pagination.result_key,
                "order": operation.pagination.order,
            }


def test_operations_text_lists_every_operation_with_the_registrys_flags():
    lines = _cli().splitlines()
    *table, summary = lines
    assert summary == f"{len(OPERATIONS)} of {SERVICE_OPERATIONS} operations implemented"
    flags = {}
    for line in table:
        match = re.fullmatch(r"(\w+) +(implemented|not implemented)(  pages .*)?", line)
        assert match, line
        flags[match[1]] = match[2] == "implemented"
        if match[3]:
            assert OPERATIONS[match[1]].pagination is not None, line
    assert list(flags) == sorted(operation_names())
    assert flags == {name: name in OPERATIONS for name in operation_names()}


def _readme_operations() -> tuple[list[str], str]:
    """The operations named in the first column of the README's table, and the section's text."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Implemented operations\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert len(rows) > 2 and re.fullmatch(r"\|[-|]+\|", rows[1]), "the section has no table"
    named = []
    for row in rows[2:]:
        first_cell = row.split("|")[1]
        cell_names = re.findall(r"`(\w+)`", first_cell)
        assert cell_names, row
        named += cell_names
    return named, section


def test_the_readme_table_lists_exactly_the_implemented_operations():
    named, section = _readme_operations()
    assert len(named) == len(set(named)), f"listed twice: {sorted({n for n in named if named.count(n) > 1})}"
    missing, extra = set(OPERATIONS) - set(named), set(named) - set(OPERATIONS)
    assert not missing, f"add to the README's Implemented operations table: {sorted(missing)}"
    assert not extra, f"not in the registry, remove from the README's table: {sorted(extra)}"
    counts = re.search(r"these (\d+) of the (\d+) operations", section)
    assert counts, "the section says how many operations are implemented"
    assert (int(counts[1]), int(counts[2])) == (len(OPERATIONS), SERVICE_OPERATIONS)


def _benchmark(name: str):
    """A module of benchmarks/ (not a package), imported from its file."""
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being built
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_every_implemented_operation_has_a_benchmark_scenario():
    scenarios = _benchmark("scenarios").SCENARIOS
    covered = {scenario.operation for scenario in scenarios}
    assert set(OPERATIONS) <= covered, f"add benchmark scenarios for {sorted(set(OPERATIONS) - covered)}"
    assert covered <= set(OPERATIONS), f"scenarios for unimplemented operations: {sorted(covered - set(OPERATIONS))}"


def test_every_paginated_operation_has_a_listing_in_the_pagination_benchmark():
    listings = {listing.operation for listing in _benchmark("bench_pagination").LISTINGS}
    paginated = {name for name, operation in OPERATIONS.items() if operation.pagination is not None}
    assert paginated <= listings, f"add to LISTINGS in benchmarks/bench_pagination.py: {sorted(paginated - listings)}"


def test_every_implemented_operation_has_a_success_wire_scenario():
    covered = {scenario.operation for scenario in SUCCESS_SCENARIOS if scenario.error is None}
    assert set(OPERATIONS) <= covered, f"add wire scenarios for {sorted(set(OPERATIONS) - covered)}"


def _list_members(shape, depth: int = 2) -> set[str]:
    """The names of the list members of an output shape and of its structures, ``depth`` levels down."""
    found = set()
    for name, member in shape.members.items():
        if member.type_name == "list":
            found.add(name)
        elif member.type_name == "structure" and depth > 1:
            found |= _list_members(member, depth - 1)
    return found


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_an_entrys_pagination_matches_the_service_model(name):
    """A List operation pages (and only one that has NextToken in the model), over list members of its
    output (``result_key`` may name several, comma-separated, nested one level down)."""
    operation = OPERATIONS[name]
    model = service_model().operation_model(name)
    pages = "NextToken" in model.input_shape.members if model.input_shape is not None else False
    assert (operation.pagination is not None) == pages, name
    if operation.pagination is not None:
        outputs = model.output_shape.members
        for result in operation.pagination.result_key.split(", "):
            assert result in _list_members(model.output_shape), (name, result)
        assert "NextToken" in outputs
        assert operation.pagination.counted == ("NumResults" in outputs)


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_read_only_entries_are_the_reading_operations(name):
    """``writes`` is what the operation's name says: Get/List read, everything else changes state."""
    reads = name.startswith(("Get", "List"))
    assert OPERATIONS[name].writes is not reads, name
