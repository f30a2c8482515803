"""The README's Python examples run as written. Those that define tests pass under pytest with the plugin;
the other complete ones (they start with their imports) run as a script, inside an active mock when they
use the names the README says its examples share (``mturk``, the handle; ``client``, a sandbox client).
Fragments that continue an earlier example (no imports of their own) are covered by the examples they
continue."""

from __future__ import annotations

import re

import boto3
import pytest

from mturk_mock import mock_mturk

from .samples import EXTERNAL_QUESTION
from .test_registry import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
COMPLETE = [(number, code) for number, code in enumerate(BLOCKS) if code.lstrip().startswith(("import", "from"))]
TESTS = [(number, code) for number, code in COMPLETE if "\ndef test_" in code or "\nasync def test_" in code]
SCRIPTS = [(number, code) for number, code in COMPLETE if (number, code) not in TESTS]


def test_the_readme_has_examples_of_both_kinds():
    assert len(TESTS) >= 3 and len(SCRIPTS) >= 3


@pytest.mark.parametrize(("number", "code"), TESTS, ids=[f"block {number}" for number, _ in TESTS])
def test_a_readme_test_passes(pytester, number, code):
    pytester.makepyfile(**{f"test_readme_{number}": code})
    result = pytester.runpytest_subprocess(
        "-p",
        "pytest_asyncio.plugin",
        "-p",
        "anyio.pytest_plugin",
        "-p",
        "no:cacheprovider",
        "-q",
        "-o",
        "asyncio_mode=auto",
    )
    defined = len(re.findall(r"^(?:async )?def test_", code, re.M))
    result.assert_outcomes(passed=defined)


@pytest.mark.parametrize(("number", "code"), SCRIPTS, ids=[f"block {number}" for number, _ in SCRIPTS])
def test_a_readme_example_runs(number, code):
    namespace = {"__name__": f"readme_block_{number}", "external_question_xml": EXTERNAL_QUESTION}
    compiled = compile(code, f"README.md, python block {number}", "exec")
    if "mock_mturk(" in code or "MTurkServer(" in code:  # it makes its own mock or server
        exec(compiled, namespace)
        return
    with mock_mturk() as mturk:
        namespace.update(mturk=mturk, client=boto3.client("mturk", region_name="sandbox"))
        exec(compiled, namespace)
