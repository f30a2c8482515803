from collections.abc import Callable
from typing import Any

def with_current_context(hook: Callable[[], Any] | None = None) -> Callable[[Any], Any]: ...
