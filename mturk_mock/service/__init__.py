"""The service layer: MTurk operations over the model, shared by every transport."""

from . import account  # noqa: F401  (registers its operations)
from .dispatch import OPERATIONS, dispatch

__all__ = ["OPERATIONS", "dispatch"]
