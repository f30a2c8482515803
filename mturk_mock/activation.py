"""The process-wide stack of active mocks, and the transports' patches that follow it.

The first activation installs every transport's patches (botocore's, and aiobotocore's when it is
importable); the last deactivation removes them, so nothing is patched while no mock is active.
``active`` is a tuple replaced as a whole under the lock, so readers on other threads need no lock:
they see the stack before or after a start or stop, never half of one.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .mock import MTurkMock

active: tuple[MTurkMock, ...] = ()
_lock = threading.Lock()
_uninstallers: list[Callable[[], None]] = []


def _install() -> None:
    hooks = ("botocore_hook", "direct_call", "aiobotocore_hook")
    for name in hooks if _aiobotocore_importable() else hooks[:2]:
        # Through sys.modules, not ``from .transport import``: when pytester's in-process run drops the hook
        # and aiobotocore from sys.modules, the package attribute still holds the old hook, which would patch
        # the dropped aiobotocore's classes while clients are built from the new import's.
        hook = importlib.import_module(f"{__package__}.transport.{name}")
        hook.install()
        _uninstallers.append(hook.uninstall)


@functools.cache
def _aiobotocore_importable() -> bool:
    # Importable, not merely imported: a client created later in the activation must be intercepted too.
    return importlib.util.find_spec("aiobotocore") is not None


def push(mock: MTurkMock) -> None:
    global active
    with _lock:
        if not active:
            _install()
        active = (*active, mock)


def remove(mock: MTurkMock) -> None:
    global active
    with _lock:
        if mock not in active:
            raise RuntimeError("this mock is not active")
        active = tuple(other for other in active if other is not mock)
        if not active:
            while _uninstallers:
                _uninstallers.pop()()


def innermost() -> MTurkMock | None:
    mocks = active
    return mocks[-1] if mocks else None
