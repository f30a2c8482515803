"""The service layer: MTurk operations over the model, shared by every transport."""

from . import account  # noqa: F401  (registers its operations)
from .dispatcher import OPERATIONS, dispatch

__all__ = ["OPERATIONS", "dispatch"]
