"""Wire structures of entities, built once per version of the entity.

A ``Rendered`` is the JSON-native dict of one entity (a QualificationType, a Qualification...), shared
by every answer that contains the entity until the entity changes: the model clears the entity's
``cache`` slot on every change, and the next answer renders it again. The transport keeps the JSON text
and the parsed form of a Rendered on it, so an unchanged entity is never encoded or converted twice.
A Rendered is a dict, so everything that reads wire dicts reads it; nothing may modify one.
"""

from __future__ import annotations

from typing import Any


class Rendered(dict[str, Any]):
    __slots__ = ("json", "parsed")

    def __init__(self, members: dict[str, Any]) -> None:
        super().__init__(members)
        self.json: str | None = None  # the JSON text, once a transport has encoded it
        self.parsed: dict[str, Any] | None = None  # what botocore's parser makes of it, once converted


Wire = dict[str, Any]


def omit_none(members: dict[str, Any]) -> dict[str, Any]:
    """The service omits unset members instead of sending null."""
    return {name: value for name, value in members.items() if value is not None}
