"""The browser tests' set-up decides rightly whether to use, install or skip Chromium (no browser needed)."""

from __future__ import annotations

import subprocess

import pytest

from . import browser


@pytest.fixture
def machine(monkeypatch):
    """A machine whose binaries, user and apt-get answers the test chooses; the commands run are recorded."""

    class Machine:
        installed: set[str] = set()
        root = True
        apt = True
        lists = False  # apt-get install succeeds only after apt-get update
        commands: list[list[str]] = []

    state = Machine()

    def which(name: str) -> str | None:
        if name == "apt-get":
            return "/usr/bin/apt-get" if state.apt else None
        return f"/usr/bin/{name}" if name in state.installed else None

    def run(command, **_):
        state.commands.append(command)
        if command[:2] == ["apt-get", "update"]:
            state.lists = True
        elif command[:2] == ["apt-get", "install"] and state.lists:
            state.installed |= {"chromium", "chromedriver"}
        else:
            return subprocess.CompletedProcess(command, 100, "", "E: Unable to locate package chromium")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(browser.shutil, "which", which)
    monkeypatch.setattr(browser.os.path, "exists", lambda path: False)
    monkeypatch.setattr(browser.os, "geteuid", lambda: 0 if state.root else 1000)
    monkeypatch.setattr(browser.subprocess, "run", run)
    return state


def test_an_installed_browser_is_used_as_it_is(machine):
    machine.installed = {"chromium", "chromedriver"}
    assert browser.ensure_chromium() == ("/usr/bin/chromium", "/usr/bin/chromedriver")
    assert machine.commands == []


def test_root_with_apt_installs_it_updating_the_package_lists_when_needed(machine):
    assert browser.ensure_chromium() == ("/usr/bin/chromium", "/usr/bin/chromedriver")
    assert machine.commands == [browser.INSTALL, ["apt-get", "update"], browser.INSTALL]


@pytest.mark.parametrize("missing", ["root", "apt"])
def test_without_root_or_apt_the_tests_skip_and_say_how_to_install(machine, missing):
    setattr(machine, missing, False)
    with pytest.raises(browser.Unavailable, match="apt-get install chromium chromium-driver"):
        browser.ensure_chromium()
    assert machine.commands == []


def test_a_failed_install_says_why(machine, monkeypatch):
    monkeypatch.setattr(machine, "lists", False)
    monkeypatch.setattr(
        browser.subprocess,
        "run",
        lambda command, **_: subprocess.CompletedProcess(command, 100, "", "E: no network"),
    )
    with pytest.raises(browser.Unavailable, match="did not install Chromium: E: no network"):
        browser.ensure_chromium()
