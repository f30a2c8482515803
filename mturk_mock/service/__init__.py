"""The service layer: MTurk operations over the model, shared by every transport."""

from .dispatch import execute, route
from .registry import OPERATIONS, Operation

__all__ = ["OPERATIONS", "Operation", "execute", "route"]
