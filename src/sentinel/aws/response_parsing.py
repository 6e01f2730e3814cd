"""Faster answers from botocore's parsers, with what they return unchanged.

A no-change plan spends a quarter of its CPU in botocore turning JSON answers into Python
(a DescribeAlarms page of 100 alarms is 3,000 members). botocore's JSON parser looks up each
member's wire name and handler anew for every value, and calls a handler for a string that it
returns as it is. ``JSONParser`` here works the same way from a list made once for each shape:
(member, wire name, shape, which handler the value needs). A string, number or boolean is
taken as it is, as botocore's handler does; a timestamp, blob, structure, list or map goes
through botocore's own handlers. Tagged unions and documents are left to botocore.

Timestamps in epoch seconds become UTC datetimes without dateutil (``parse_timestamp``).
"""

from __future__ import annotations

import datetime
from typing import Any

import botocore.utils
from botocore import parsers

# Shapes whose JSON value is the Python value: botocore's JSON parsers have no handler for
# them (``_default_handle``).
_AS_IS = frozenset({"string", "integer", "long", "boolean", "double", "float"})

# Member lists a factory keeps: every shape of the clients of a long run is a few thousand.
MEMBER_LISTS = 20_000
# A structure's member: its name, its name on the wire, its shape, and its shape's type when
# the value needs a handler (None: taken as it is).
Member = tuple[str, str, Any, str | None]


class JSONParser(parsers.JSONParser):
    """botocore's parser of the ``json`` protocol, with each structure's members listed once.

    botocore makes a parser for every answer: the lists are the factory's, shared by all."""

    def __init__(self, members: dict[int, tuple[Any, list[Member]]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._members = members

    def _handle_structure(self, shape: Any, value: Any) -> Any:
        if shape.is_document_type or shape.is_tagged_union or value is None:
            return super()._handle_structure(shape, value)
        parsed: dict[str, Any] = {}
        get = value.get
        for name, wire, member, kind in self._members_of(shape):
            raw = get(wire)
            if raw is None:
                continue
            if kind is None:
                parsed[name] = raw
            elif kind == "structure":
                parsed[name] = self._handle_structure(member, raw)
            elif kind == "list":
                parsed[name] = self._handle_list(member, raw)
            else:
                parsed[name] = self._parse_shape(member, raw)
        return parsed

    def _handle_list(self, shape: Any, node: Any) -> Any:
        member = shape.member
        if member.type_name in _AS_IS:
            return list(node)
        parse = self._parse_shape
        return [None if item is None else parse(member, item) for item in node]

    def _members_of(self, shape: Any) -> list[Member]:
        found = self._members.get(id(shape))
        if found is not None and found[0] is shape:
            return found[1]
        members = [
            (
                name,
                member.serialization.get("name", name),
                member,
                None if member.type_name in _AS_IS else member.type_name,
            )
            for name, member in shape.members.items()
        ]
        if len(self._members) >= MEMBER_LISTS:  # clients made again and again: start anew
            self._members.clear()
        self._members[id(shape)] = (shape, members)
        return members


class ResponseParserFactory(parsers.ResponseParserFactory):
    """botocore's factory, making the ``json`` protocol's parser above."""

    def __init__(self) -> None:
        super().__init__()
        # id(shape) -> (shape, its members): the shape is kept, so an id is never reused.
        self._members: dict[int, tuple[Any, list[Member]]] = {}

    def create_parser(self, protocol_name: str) -> Any:
        if protocol_name == "json":
            return JSONParser(self._members, **self._defaults)
        return super().create_parser(protocol_name)


def parse_fast(core: Any) -> None:
    """A botocore session's parsers become the ones above, with ``parse_timestamp``."""
    factory = ResponseParserFactory()
    factory.set_parser_defaults(timestamp_parser=parse_timestamp)
    core.register_component("response_parser_factory", factory)


def parse_timestamp(value: Any) -> datetime.datetime:
    """botocore's timestamp parser, with epoch seconds (a number, or a string of one) made UTC
    datetimes directly. botocore gives them the machine's zone: the same moment, but printed
    in local time."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        try:
            return datetime.datetime.fromtimestamp(float(value), datetime.UTC)
        except (OverflowError, OSError, ValueError):
            pass  # not epoch seconds (ISO 8601, RFC 822), or out of range
    parsed: datetime.datetime = botocore.utils.parse_timestamp(value)
    return parsed
