"""The pytest plugin stays cheap to load: registering it imports no AWS library (nor aiohttp)."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_plugin_imports_no_aws_library():
    libraries = ("boto3", "botocore", "wrapt", "aiobotocore", "aioboto3", "aiohttp")
    code = (
        "import sys, mturk_mock.pytest_plugin; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {libraries!r}))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_plugin_is_registered_through_its_entry_point():
    from importlib.metadata import entry_points

    plugins = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert plugins.get("mturk_mock") == "mturk_mock.pytest_plugin"
