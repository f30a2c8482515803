"""The service layer: MTurk operations over the model, shared by every transport."""

from . import account, qualification_types, worker_qualifications  # noqa: F401  (they register operations)
from .dispatcher import OPERATIONS, dispatch

__all__ = ["OPERATIONS", "dispatch"]
