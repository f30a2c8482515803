"""Wire JSON -> exactly what botocore's JSON parser returns, without running the parser.

A converter is compiled once per output shape. Subtrees that hold no timestamp need no work: the
service layer builds fresh, JSON-native wire dicts with only modelled members and no nulls, and for
such values the parser's result equals its input. tests/test_wire_fidelity.py proves the identity
for every implemented operation and error against botocore's own parser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from botocore.parsers import DEFAULT_TIMESTAMP_PARSER

from ..service.service_model import service_model

Convert = Callable[[object], object]

# botocore's own timestamp parser, memoized: it costs ~13 us a call (it builds a tzlocal each time),
# and a datetime is immutable, so handing out an equal, shared one is indistinguishable.
_parse_timestamp = functools.lru_cache(maxsize=8192)(DEFAULT_TIMESTAMP_PARSER)


def _structure(shape) -> Convert | None:
    members = []
    needs_work = False
    for name, member in shape.members.items():
        wire_name = member.serialization.get("name", name)
        convert = compile_converter(member)
        needs_work = needs_work or convert is not None or wire_name != name
        members.append((name, wire_name, convert))
    if not needs_work:
        return None

    def convert_structure(value: dict) -> dict:
        parsed = {}
        for name, wire_name, convert in members:
            raw = value.get(wire_name)
            if raw is not None:
                parsed[name] = convert(raw) if convert is not None else raw
        return parsed

    return convert_structure


def _list(shape) -> Convert | None:
    convert = compile_converter(shape.member)
    if convert is None:
        return None
    return lambda values: [convert(value) for value in values]


def compile_converter(shape) -> Convert | None:
    """None means the wire value is already what the parser would return."""
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape)
    if kind == "list":
        return _list(shape)
    if kind == "timestamp":
        return _parse_timestamp
    if kind in ("map", "blob"):
        raise TypeError(f"mturk has no {kind} members; add a converter before using one")
    return None


@functools.cache
def output_converter(operation: str) -> Convert:
    shape = service_model().operation_model(operation).output_shape
    if shape is None:
        return lambda value: {}
    convert = compile_converter(shape)
    return convert if convert is not None else (lambda value: value)


@functools.cache
def _modeled_error_converter(code: str) -> Convert | None:
    shape = service_model().shape_for_error_code(code)
    if shape is None:
        return None
    convert = compile_converter(shape)
    if convert is not None:
        return convert
    names = tuple(shape.members)
    return lambda value: {name: value[name] for name in names if value.get(name) is not None}


def _error_code(wire_type: str) -> str:
    code = wire_type.split(":", 1)[0]
    return code.rsplit("#", 1)[1] if "#" in code else code


def convert_error(body: dict, metadata: dict) -> dict:
    """What botocore makes of an error body: Error.Code/Message, metadata, then the modelled members."""
    code = _error_code(body.get("__type", ""))
    parsed = {"Error": {"Message": body.get("message", body.get("Message", "")), "Code": code},
              "ResponseMetadata": metadata}
    modeled = _modeled_error_converter(code)
    if modeled is not None:
        parsed.update(modeled(body))
    return parsed
