"""Wire JSON -> exactly what botocore's JSON parser returns, without running the parser.

A converter is compiled once per shape. Subtrees that hold no timestamp need no work: the service layer
builds fresh, JSON-native wire dicts with only modelled members and no nulls, and for such values the
parser's result equals its input. An entity the service rendered once (``Rendered``) is converted once:
its parsed form is kept on it as a template and every answer receives a fresh copy of the template, so
a caller that modifies its answer changes nothing else. tests/test_wire_fidelity.py proves the identity
for every implemented operation and error against botocore's own parser.
"""

from __future__ import annotations

import datetime
import functools
import time
from collections.abc import Callable
from typing import Any, cast

from botocore.model import ListShape, Shape, StructureShape
from botocore.parsers import DEFAULT_TIMESTAMP_PARSER
from dateutil.tz import tzlocal

from ..service.render import Rendered
from ..service.service_model import service_model

Convert = Callable[[Any], Any]

# botocore's parser turns an epoch number into datetime.fromtimestamp(value, tzlocal()), which costs
# ~13 us (building tzlocal and its Python-level conversion). Where the local zone has no daylight saving
# time (UTC machines, CI), tzlocal's offset is the constant -time.timezone, so the same datetime is built
# from the UTC time plus that offset for a tenth of the cost (checked against botocore's parser over
# 60,000 values in several zones). Elsewhere botocore's parser itself runs. Either way results are
# memoized: a datetime is immutable, so handing out an equal, shared one is indistinguishable.
_UTC = datetime.timezone.utc
_zone: list[Any] = [None, None, None]  # (time.timezone, time.daylight) when built, offset, tzlocal instance


def _epoch_to_datetime(value: Any) -> Any:
    if type(value) not in (int, float):
        return DEFAULT_TIMESTAMP_PARSER(value)
    key = (time.timezone, time.daylight)
    if _zone[0] != key:
        _zone[:] = [key, datetime.timedelta(seconds=-time.timezone), tzlocal()]
    if time.daylight:
        return DEFAULT_TIMESTAMP_PARSER(value)
    try:
        return (datetime.datetime.fromtimestamp(value, _UTC) + _zone[1]).replace(tzinfo=_zone[2])
    except (OSError, OverflowError, ValueError):
        return DEFAULT_TIMESTAMP_PARSER(value)


_parse_timestamp = functools.lru_cache(maxsize=8192)(_epoch_to_datetime)


def _structure(shape: Shape) -> Convert | None:
    members = []
    needs_work = False
    for name, member in cast(StructureShape, shape).members.items():
        wire_name = member.serialization.get("name", name)
        convert = compile_converter(member)
        needs_work = needs_work or convert is not None or wire_name != name
        members.append((name, wire_name, convert))
    if not needs_work:
        return None

    def convert_structure(value: dict[str, Any]) -> dict[str, Any]:
        parsed = {}
        for name, wire_name, convert in members:
            raw = value.get(wire_name)
            if raw is not None:
                parsed[name] = convert(raw) if convert is not None else raw
        return parsed

    return convert_structure


def _list(shape: Shape) -> Convert | None:
    convert = compile_converter(cast(ListShape, shape).member)
    if convert is None:
        return None
    return lambda values: [convert(value) for value in values]


def compile_converter(shape: Shape) -> Convert | None:
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


def _is_scalar(shape: Shape) -> bool:
    return shape.type_name not in ("structure", "list")


def compile_copier(shape: Shape) -> Convert:
    """A fresh copy of a parsed value of ``shape``: new dicts and lists, shared immutable scalars."""
    if shape.type_name == "list":
        element: Shape = cast(ListShape, shape).member
        if _is_scalar(element):
            return list
        copy_element = compile_copier(element)
        return lambda values: [copy_element(value) for value in values]
    if shape.type_name != "structure":
        return lambda value: value
    members: dict[str, Shape] = cast(StructureShape, shape).members
    nested = [(name, compile_copier(member)) for name, member in members.items() if not _is_scalar(member)]
    if not nested:
        return dict

    def copy_structure(value: dict[str, Any]) -> dict[str, Any]:
        copied = dict(value)
        for name, copy in nested:
            if name in copied:
                copied[name] = copy(copied[name])
        return copied

    return copy_structure


def _rendered_converters(shape: Shape) -> tuple[Callable[[Rendered], Any], Convert]:
    """For a rendered entity of ``shape``: (its parsed template, made once and kept on it; a fresh copy)."""
    convert = compile_converter(shape) or compile_copier(shape)

    def template(rendered: Rendered) -> Any:
        parsed = rendered.parsed
        if parsed is None:
            parsed = rendered.parsed = convert(rendered)
        return parsed

    return template, compile_copier(shape)


@functools.cache
def output_converter(operation: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Wire output -> parsed output. A rendered entity is converted once; every answer gets a fresh copy."""
    shape = service_model().operation_model(operation).output_shape
    if shape is None:
        return lambda value: {}
    whole_template, whole_copy = _rendered_converters(shape)
    members = []
    for name, member in shape.members.items():
        element = cast(ListShape, member).member if member.type_name == "list" else member
        template, copy = _rendered_converters(element)
        members.append((name, member.serialization.get("name", name), compile_converter(member), template, copy))

    def convert_output(wire: dict[str, Any]) -> dict[str, Any]:
        if type(wire) is Rendered:  # a whole answer rendered once
            whole: dict[str, Any] = whole_copy(wire.parsed or whole_template(wire))
            return whole
        parsed = {}
        for name, wire_name, convert, template, copy in members:
            value = wire.get(wire_name)
            if value is None:
                continue
            if type(value) is Rendered:
                parsed[name] = copy(value.parsed or template(value))
            elif type(value) is list and value and type(value[0]) is Rendered:
                parsed[name] = [copy(item.parsed or template(item)) for item in value]
            else:
                parsed[name] = convert(value) if convert is not None else value
        return parsed

    return convert_output


@functools.cache
def _modeled_error_converter(code: str) -> Convert | None:
    shape = cast(Any, service_model()).shape_for_error_code(code)  # the stubs mistype its argument
    if shape is None:
        return None
    convert = compile_converter(shape)
    if convert is not None:
        return convert
    names = tuple(cast(StructureShape, shape).members)
    return lambda value: {name: value[name] for name in names if value.get(name) is not None}


def _error_code(wire_type: str) -> str:
    code = wire_type.split(":", 1)[0]
    return code.rsplit("#", 1)[1] if "#" in code else code


def convert_error(body: dict[str, Any], metadata: dict[str, Any]) -> dict[str, Any]:
    """What botocore makes of an error body: Error.Code/Message, metadata, then the modelled members."""
    code = _error_code(body.get("__type", ""))
    parsed = {
        "Error": {"Message": body.get("message", body.get("Message", "")), "Code": code},
        "ResponseMetadata": metadata,
    }
    modeled = _modeled_error_converter(code)
    if modeled is not None:
        parsed.update(modeled(body))
    return parsed
