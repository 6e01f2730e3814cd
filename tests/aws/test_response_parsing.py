"""The faster JSON parser returns what botocore's returns, for every answer of every JSON
service Sentinel calls: random answers of each operation's output shape, parsed by both."""

from __future__ import annotations

import base64
import json
import random
from typing import Any

import botocore.session
import pytest
from botocore import parsers

from sentinel.aws.response_parsing import JSONParser, ResponseParserFactory, parse_timestamp

# The services Sentinel makes clients for; those botocore speaks JSON to are tested.
SERVICES = [
    "athena",
    "budgets",
    "ce",
    "cloudwatch",
    "compute-optimizer",
    "dynamodb",
    "ecs",
    "events",
    "logs",
    "organizations",
    "resourcegroupstaggingapi",
    "secretsmanager",
    "sqs",
    "ssm",
    "synthetics",
]
ANSWERS = 4  # random answers an operation


def _json_services() -> list[str]:
    session = botocore.session.get_session()
    return [s for s in SERVICES if session.get_service_model(s).resolved_protocol == "json"]


def _wire(name: str, shape: Any) -> str:
    return str(shape.serialization.get("name", name))


def answer(shape: Any, rng: random.Random, depth: int = 0) -> Any:
    """A value of ``shape`` as JSON has it: members present, null or missing, unknown keys."""
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return {"any": [1, "two", None, {"three": 3.0}]}
        members = list(shape.members.items())
        if shape.is_tagged_union and members:
            name, member = rng.choice(members)
            return {_wire(name, member): answer(member, rng, depth + 1)}
        value: dict[str, Any] = {"NotInTheModel": "ignored"}
        for name, member in members:
            roll = rng.random()
            if depth < 5 and roll < 0.6:
                value[_wire(name, member)] = answer(member, rng, depth + 1)
            elif roll < 0.7:
                value[_wire(name, member)] = None
        return value
    if kind == "list":
        items = [answer(shape.member, rng, depth + 1) for _ in range(rng.randint(0, 3))]
        return items + ([None] if rng.random() < 0.2 else [])
    if kind == "map":
        return {f"key-{n}": answer(shape.value, rng, depth + 1) for n in range(rng.randint(0, 2))}
    if kind == "timestamp":
        return rng.choice([1764547200, 1764547200.125, "2026-12-01T00:00:00Z"])
    if kind == "blob":
        return base64.b64encode(rng.randbytes(6)).decode()
    if kind == "boolean":
        return rng.random() < 0.5
    if kind in ("integer", "long"):
        return rng.randint(-5, 10**12)
    if kind in ("double", "float"):
        return rng.random() * 1000
    return rng.choice(["", "text", "ünïcode", "arn:aws:sns:us-east-1:123456789012:t"])


def same(ours: Any, theirs: Any, where: str = "") -> None:
    """Equal, of the same types, with the keys of every dict in the same order."""
    assert type(ours) is type(theirs), where
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs), where
        for key in theirs:
            same(ours[key], theirs[key], f"{where}.{key}")
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs), where
        for n, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            same(a, b, f"{where}[{n}]")
    else:
        assert ours == theirs, where


def response(body: Any) -> dict[str, Any]:
    return {
        "body": json.dumps(body).encode(),
        "headers": {"x-amzn-requestid": "r-1"},
        "status_code": 200,
    }


@pytest.mark.parametrize("service", _json_services())
def test_every_operation_parses_as_botocore_parses_it(service: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    factory = ResponseParserFactory()
    factory.set_parser_defaults(timestamp_parser=parse_timestamp)
    rng = random.Random(service)
    checked = 0
    for operation in model.operation_names:
        shape = model.operation_model(operation).output_shape
        if shape is None or shape.event_stream_name:
            continue
        for _ in range(ANSWERS):
            raw = response(answer(shape, rng))
            theirs = parsers.JSONParser(timestamp_parser=parse_timestamp).parse(raw, shape)
            ours = factory.create_parser("json").parse(raw, shape)
            same(ours, theirs, f"{service}.{operation}")
            checked += 1
    assert checked >= ANSWERS * 5


def test_an_error_answer_parses_as_botocore_parses_it() -> None:
    model = botocore.session.get_session().get_service_model("logs")
    shape = model.operation_model("DescribeLogGroups").output_shape
    raw = {
        "body": b'{"__type": "ResourceNotFoundException", "message": "no such group"}',
        "headers": {"x-amzn-requestid": "r-2"},
        "status_code": 400,
    }
    theirs = parsers.JSONParser().parse(raw, shape)
    same(JSONParser({}).parse(raw, shape), theirs)
    assert theirs["Error"]["Code"] == "ResourceNotFoundException"


def test_a_session_and_its_assumed_roles_parse_through_the_faster_parser(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentinel.aws.session import AccountTarget

    base = aws.client("logs")
    other = aws.client(
        "logs", account=AccountTarget("210987654321", "arn:aws:iam::210987654321:role/r")
    )
    factories = [c._endpoint._response_parser_factory for c in (base, other)]
    assert isinstance(factories[0], ResponseParserFactory)
    assert factories[0] is factories[1]


def test_the_member_lists_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from sentinel.aws import response_parsing

    monkeypatch.setattr(response_parsing, "MEMBER_LISTS", 3)
    model = botocore.session.get_session().get_service_model("logs")
    factory = ResponseParserFactory()
    shapes = [model.operation_model(name).output_shape for name in model.operation_names]
    for shape in [shape for shape in shapes if shape is not None][:10]:
        factory.create_parser("json").parse(response({}), shape)
        assert 1 <= len(factory._members) <= 3
