"""Server-side input validation compiled once per operation from the service model.

botocore checks only required members, Python types and minimums (spec 0.4); the service checks the
rest: maximum lengths and values, patterns, enums. A request that bypassed botocore (the HTTP server,
or a client with parameter_validation off) gets every check here.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import cast

from botocore.model import ListShape, Shape, StringShape, StructureShape

from ..model import errors
from .service_model import service_model

Check = Callable[[object], None]

_INT_BOUNDS = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
# Structures whose members' errors name the member itself, not the top-level parameter (spec H§6.1).
_SELF_NAMED = frozenset({"NotificationSpecification"})


def _type_error(parameter: str, expected: str) -> errors.MTurkError:
    return errors.SERIALIZATION(message=f"Unexpected value type for {parameter}: expected {expected}")


def _is_unicode(value: str) -> bool:
    """False for text with a lone UTF-16 surrogate: valid as a JSON escape, but no Unicode text."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _string_check(parameter: str, shape: StringShape) -> Check:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    pattern = re.compile(meta["pattern"]).fullmatch if "pattern" in meta else None
    enum = frozenset(shape.enum) if shape.enum else None

    def check(value: object) -> None:
        if not isinstance(value, str):
            raise _type_error(parameter, "a string")
        if (
            (low is not None and len(value) < low)
            or (high is not None and len(value) > high)
            or (enum is not None and value not in enum)
            or (pattern is not None and not pattern(value))
            or not (value.isascii() or _is_unicode(value))
        ):
            raise errors.invalid_value(parameter, value, _string_failure(parameter, shape, value))

    return check


def _string_failure(parameter: str, shape: StringShape, value: str) -> str:
    """Which constraint of the service model ``value`` breaks (off the hot path: only for refusals)."""
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        return f"{parameter} is {len(value)} characters long; the minimum is {meta['min']}"
    if "max" in meta and len(value) > meta["max"]:
        return f"{parameter} is {len(value)} characters long; the maximum is {meta['max']}"
    if shape.enum and value not in shape.enum:
        return f"{parameter} must be one of {', '.join(shape.enum)}"
    if "pattern" in meta and not re.fullmatch(meta["pattern"], value):
        return f"{parameter} does not match the pattern {meta['pattern']}"
    return f"{parameter} is not Unicode text (it contains a lone UTF-16 surrogate)"


def _integer_check(parameter: str, shape: Shape) -> Check:
    type_low, type_high = _INT_BOUNDS[shape.type_name]
    low = max(shape.metadata.get("min", type_low), type_low)
    high = min(shape.metadata.get("max", type_high), type_high)

    def check(value: object) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _type_error(parameter, "an integer")
        if not low <= value <= high:
            raise errors.out_of_range(parameter, value, low, high)

    return check


def _typed(parameter: str, kinds: tuple[type, ...], expected: str) -> Check:
    def check(value: object) -> None:
        if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
            raise _type_error(parameter, expected)

    return check


def _list_check(parameter: str, shape: ListShape) -> Check:
    item = compile_shape(parameter, shape.member)
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max")

    def check(value: object) -> None:
        if not isinstance(value, list):
            raise _type_error(parameter, "a list")
        if len(value) < low or (high is not None and len(value) > high):
            bounds = f"at least {low}" if len(value) < low else f"at most {high}"
            raise errors.invalid_value(parameter, value, f"{parameter} has {len(value)} items; {bounds} are allowed")
        for element in value:
            item(element)

    return check


def _structure_check(shape: StructureShape, parameter: str | None = None) -> Check:
    """Members are checked in model order; nested errors name the top-level parameter."""
    label = parameter or shape.name
    if shape.name in _SELF_NAMED:
        parameter = None
    members = [(name, compile_shape(parameter or name, member)) for name, member in shape.members.items()]
    required = tuple(shape.required_members)

    def check(value: object) -> None:
        if not isinstance(value, dict):
            raise _type_error(label, "a structure")
        for name in required:
            if value.get(name) is None:
                raise errors.invalid_value(parameter or name, None, f"{name} is required in {label}")
        for name, member_check in members:
            member_value = value.get(name)
            if member_value is not None:
                member_check(member_value)

    return check


def compile_shape(parameter: str, shape: Shape) -> Check:
    kind = shape.type_name
    if kind == "string":
        return _string_check(parameter, cast(StringShape, shape))
    if kind in _INT_BOUNDS:
        return _integer_check(parameter, shape)
    if kind == "boolean":
        return _typed(parameter, (bool,), "a boolean")
    if kind in ("double", "float"):
        return _typed(parameter, (int, float), "a number")
    if kind == "timestamp":
        return _typed(parameter, (int, float), "epoch seconds")
    if kind == "list":
        return _list_check(parameter, cast(ListShape, shape))
    if kind == "structure":
        return _structure_check(cast(StructureShape, shape), parameter)
    raise TypeError(f"no validator for shape type {kind}")  # mturk has no maps or blobs


@functools.cache
def request_validator(operation: str) -> Check:
    shape = service_model().operation_model(operation).input_shape
    if shape is None or not shape.members:
        return _empty_request
    return _structure_check(shape)


def _empty_request(value: object) -> None:
    if not isinstance(value, dict):
        raise _type_error("the request", "a JSON object")
