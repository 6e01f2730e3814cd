"""Pydantic validation errors turned into messages a person can act on."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any, Union

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sentinel.config.yaml_source import Position, locate
from sentinel.errors import ConfigProblem

_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_from_datetime_parsing": "a date like 2026-01-05",
    "date_parsing": "a date like 2026-01-05",
    "datetime_parsing": "a date and time like 2026-12-24T18:00:00+00:00",
    "datetime_from_date_parsing": "a date and time like 2026-12-24T18:00:00+00:00",
}


_BOUNDS = {
    "greater_than_equal": ("at least", "ge"),
    "greater_than": ("more than", "gt"),
    "less_than_equal": ("at most", "le"),
    "less_than": ("less than", "lt"),
}
_CHOICES = re.compile(r"^\^\(([\w|]+)\)\$$")


def suggest(word: str, candidates: typing.Iterable[str]) -> str:
    """`` ; did you mean 'x'?`` when a candidate is close, else an empty string."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def problems_from_validation(
    error: ValidationError, model: type[BaseModel], data: Any, file: str
) -> list[ConfigProblem]:
    problems = []
    seen: set[tuple[Position, str]] = set()
    details = error.errors(include_url=False)
    # A misspelt key also makes the key it meant "missing": report the spelling only.
    meant: set[tuple[Any, ...]] = set()
    for detail in details:
        if detail["type"] == "extra_forbidden":
            loc = tuple(detail["loc"])
            close = difflib.get_close_matches(str(loc[-1]), allowed_keys(model, loc[:-1]), n=1)
            meant.update((*loc[:-1], word) for word in close)
    for detail in details:
        raw_loc = tuple(detail["loc"])
        if detail["type"] == "missing" and raw_loc in meant:
            continue
        # pydantic puts "[key]" after a mapping key that is itself invalid (a severity name).
        is_key = raw_loc[-1:] == ("[key]",)
        at_key = detail["type"] == "extra_forbidden" or is_key
        # An unknown widget type is wrong in its `type` value, not in the whole widget.
        spot = (*raw_loc, "type") if detail["type"] == "union_tag_invalid" else raw_loc
        spot = spot[:-1] if is_key else spot
        position = locate(data, spot, at_key=at_key)
        shown = present_loc(data, raw_loc, keep_last=detail["type"] == "missing")
        message = _message(detail, model, raw_loc, shown)
        if (position, message) not in seen:
            seen.add((position, message))
            problems.append(ConfigProblem(file, position.line, position.column, message))
    return problems


def _message(
    detail: ErrorDetails, model: type[BaseModel], raw_loc: tuple[Any, ...], loc: tuple[Any, ...]
) -> str:
    kind = detail["type"]
    field = _field_path(loc)
    where = f" in {field}" if field else ""
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = allowed_keys(model, raw_loc[:-1])
        hint = suggest(key, allowed) if allowed else ""
        expected = f"; expected one of: {', '.join(allowed)}" if allowed and not hint else ""
        parent = _field_path(loc[:-1])
        return f"unknown key {key!r}" + (f" in {parent}" if parent else "") + hint + expected
    if kind == "missing":
        parent = _field_path(loc[:-1])
        return f"missing required key {str(loc[-1])!r}" + (f" in {parent}" if parent else "")
    if kind == "literal_error":
        literals = re.findall(r"'([^']*)'", str(detail.get("ctx", {}).get("expected", "")))
        value = detail["input"]
        hint = suggest(str(value), literals)
        return f"invalid value {value!r}{where}: expected one of {', '.join(literals)}{hint}"
    if kind == "union_tag_invalid":
        ctx = detail.get("ctx", {})
        tags = re.findall(r"'([^']*)'", str(ctx.get("expected_tags", "")))
        tag = ctx.get("tag")
        return f"unknown widget type {tag!r}: expected one of {', '.join(tags)}" + suggest(
            str(tag), tags
        )
    if kind == "union_tag_not_found":
        return f"missing required key 'type'{where}"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ") + (
            "" if not field or field in str(detail["msg"]) else f" ({field})"
        )
    if kind == "string_pattern_mismatch" and raw_loc[-1:] == ("[key]",):
        parent = _field_path(loc[:-1])
        return (
            f"invalid name {detail['input']!r}"
            + (f" in {parent}" if parent else "")
            + (": expected lower-case letters, digits, '-', '_' or '.'")
        )
    if kind == "string_pattern_mismatch":
        choices = _CHOICES.match(str(detail.get("ctx", {}).get("pattern", "")))
        hint = suggest(str(detail["input"]), choices.group(1).split("|")) if choices else ""
        return f"invalid value {detail['input']!r}{where}: {_pattern_words(loc)}{hint}"
    if kind in _BOUNDS:
        ctx = detail.get("ctx", {})
        words, key = _BOUNDS[kind]
        return f"expected {words} {ctx.get(key)}{where}, got {_shown(detail['input'])}"
    if kind in _TYPE_WORDS:
        return f"expected {_TYPE_WORDS[kind]}{where}, got {_shown(detail['input'])}"
    if kind in ("string_too_short", "string_too_long"):
        ctx = detail.get("ctx", {})
        most, bound = (
            ("at least", ctx.get("min_length"))
            if kind == "string_too_short"
            else ("at most", ctx.get("max_length"))
        )
        characters = "character" if bound == 1 else "characters"
        return f"expected {most} {bound} {characters}{where}, got {len(str(detail['input']))}"
    if kind in ("too_short", "too_long"):
        ctx = detail.get("ctx", {})
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        if bound is None:
            return f"{detail['msg'].lower()}{where}"
        most = "at least" if kind == "too_short" else "at most"
        items = "item" if bound == 1 else "items"
        return f"expected {most} {bound} {items}{where}, got {ctx.get('actual_length')}"
    return f"{detail['msg']}{where}"


def _pattern_words(loc: tuple[Any, ...]) -> str:
    last = str(loc[-1]) if loc else ""
    words = {
        "name": "expected lower-case letters, digits, '-', '_' or '.', like rds-cpu-high",
        "project": "expected lower-case letters, digits, '-', '_' or '.', like p2p",
        "id": "expected a 12-digit AWS account id",
        "email": "expected an email address",
        "runbook": "expected an http(s) URL",
        "role": (
            "expected an IAM role ARN, like arn:aws:iam::123456789012:role/sentinel, or a "
            "role name (letters, digits, +=,.@_-, at most 64)"
        ),
        "treat_missing": "expected one of breaching, notBreaching, ignore, missing",
        "percentile": "expected a percentile like p95",
        "channel": "expected a Slack channel like #alerts",
        "color": "expected a colour like #1f77b4",
        "sqs": "expected an SQS queue ARN, like arn:aws:sqs:us-east-1:123456789012:alerts",
        "lambda": (
            "expected a Lambda function ARN, like "
            "arn:aws:lambda:us-east-1:123456789012:function:notify"
        ),
    }
    if last in words:
        return words[last]
    if last == "region" or "regions" in loc:
        return "expected an AWS region like us-east-1"
    if "accounts" in loc:
        return "expected a 12-digit AWS account id"
    if "email" in loc:
        return "expected an email address"
    if last == "query":
        return "expected a Logs Insights query, not blank"
    if "log_groups" in loc:
        return "expected a log group name: letters, digits and '_', '-', '/', '.', '#'"
    return "does not have the expected form"


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts)


def present_loc(data: Any, loc: tuple[Any, ...], keep_last: bool) -> tuple[Any, ...]:
    """``loc`` without the parts that are not in the data (union tags, validator names)."""
    kept: list[Any] = []
    node = data
    for index, part in enumerate(loc):
        in_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            node = node[part]
        elif not (keep_last and index == len(loc) - 1):
            continue
        kept.append(part)
    return tuple(kept)


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation can hold (Optional, Annotated, unions flattened)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at ``loc`` may hold, for 'did you mean' and 'expected one of'."""
    candidates: list[Any] = [model]
    for part in loc:
        following: list[Any] = []
        for candidate in candidates:
            for concrete in _unwrap(candidate):
                origin = typing.get_origin(concrete)
                if isinstance(concrete, type) and issubclass(concrete, BaseModel):
                    for name, info in concrete.model_fields.items():
                        if part in (name, info.alias):
                            following.append(info.annotation)
                    tag = concrete.model_fields.get("type")
                    if tag is not None and part in typing.get_args(_unwrap(tag.annotation)[0]):
                        following.append(concrete)  # a discriminated union's tag
                elif origin is list and isinstance(part, int):
                    following.append(typing.get_args(concrete)[0])
                elif origin is dict and isinstance(part, str):
                    following.append(typing.get_args(concrete)[1])
        candidates = following or candidates
    keys: list[str] = []
    for candidate in candidates:
        for concrete in _unwrap(candidate):
            if isinstance(concrete, type) and issubclass(concrete, BaseModel):
                keys.extend(info.alias or name for name, info in concrete.model_fields.items())
    return sorted(set(keys))
