"""The example scripts run and print what they promise."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parent.parent / "examples"


def _run(name: str) -> str:
    done = subprocess.run([sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_quickstart():
    out = _run("quickstart.py")
    assert "sandbox balance: 10000.00" in out
    assert "status='Granted', value=100)" in out.split("alice's test:")[1].splitlines()[0]
    assert "status='Granted', value=0)" in out.split("bob's test:")[1].splitlines()[0]
    assert "bob may not accept: You do not meet the qualification requirement 'Cat spotter'" in out
    assert "A1ALICE0000001 answered {'cat': 'yes'}" in out
    assert "bonuses paid: ['0.25']" in out
    assert re.search(r"reviewable after an hour: \[\('3\w{29}', 1\)\]", out)
    assert "calls answered by the mock: 10" in out


def test_qualification_test_workflow():
    out = _run("qualification_test_workflow.py")
    scores = [line.split("score")[1].split()[0] for line in out.splitlines() if "took the test" in line]
    assert [int(score) for score in scores] == [100, 50, 0]
    assert out.count("  qualified") == 2 and out.count("not qualified") == 1


def test_publish_hits():
    out = _run("publish_hits.py")
    assert "published 5 HITs" in out
    assert "balance after publishing: 9991.00 on hold: 9.00" in out  # 5 HITs x 3 x (0.50 + 0.10)
    assert "reviewable after an hour: 5" in out and "extended: Assignable" in out
    assert "left after clean-up: 0" in out and "balance after clean-up: 10000.00" in out
    assert "statuses seen by the handle: ['Disposed']" in out


def test_crowd_experiment():
    out = _run("crowd_experiment.py")

    def figure(pattern: str) -> int:
        found = re.search(pattern, out)
        assert found, (pattern, out)
        return int(found.group(1))

    assert "published 30 HITs: available 9982.00, on hold 18.00" in out  # 30 x 5 x (0.10 + 0.02)
    assert 0 < figure(r"passed: (\d+)") < figure(r"tests taken: (\d+)")  # taken by the crowd, scored by the key
    assert figure(r"after 2 hours: .* (\d+) submitted") > 0
    assert figure(r"reviewed: (\d+) approved") > 0 and figure(r"approved, (\d+) rejected") > 0
    assert figure(r"after 4 hours: (\d+) more submitted") > 0
    assert figure(r"expired with (\d+) slots unfilled") > 0
    assert figure(r"bonuses: (\d+) workers paid \$0\.25") > 0  # SendBonus, listed by ListBonusPayments
    assert figure(r"auto-approved after the delay: (\d+)") > 0
    assert "still submitted: 0" in out and "deleted 30 HITs" in out and "on hold 0.00" in out
    assert "available + on hold + paid = 10000.00" in out


def test_notifications_sqs():
    out = _run("notifications_sqs.py")
    assert "approved 6 assignments from AssignmentSubmitted messages" in out
    assert "HIT statuses: ['Reviewable'], assignments completed: 6" in out
    assert "HITReviewable messages: 3, all delivered: True" in out


def test_the_pytest_example_passes(pytester):
    """examples/test_with_pytest.py, as a project would run it (the plugin loads through its entry point)."""
    result = pytester.runpytest(str(EXAMPLES / "test_with_pytest.py"), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
