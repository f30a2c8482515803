"""The pytest plugin stays cheap to load: registering it imports neither boto3 nor botocore."""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_plugin_imports_no_aws_library():
    code = (
        "import sys, mturk_mock.pytest_plugin; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'wrapt')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_plugin_is_registered_through_its_entry_point():
    from importlib.metadata import entry_points

    plugins = {entry.name: entry.value for entry in entry_points(group="pytest11")}
    assert plugins.get("mturk_mock") == "mturk_mock.pytest_plugin"
