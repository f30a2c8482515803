"""Make operations unimplemented for one test, so the NotImplemented answer stays tested whatever the
registry holds."""

from __future__ import annotations

import pytest

from mturk_mock.service import dispatch


def hide(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    monkeypatch.setattr(
        dispatch, "OPERATIONS", {key: op for key, op in dispatch.OPERATIONS.items() if key not in names}
    )
    for name in names:
        monkeypatch.delitem(dispatch._ROUTES, name, raising=False)
