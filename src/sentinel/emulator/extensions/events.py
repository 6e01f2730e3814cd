"""EventBridge PutRule checked as AWS checks it.

moto saves a rule of any name length, and any content filter in its pattern (an unknown
``prefixx``, ``numeric`` against a string). AWS refuses a Name, Description or EventPattern
outside what botocore's events model bounds (1-64 characters of ``[.\\-_A-Za-z0-9]``, 512, 4,096)
with a ValidationException, and a pattern outside EventBridge's pattern grammar with an
InvalidEventPatternException. ListRules and ListTargetsByRule already page in moto (``Limit``
and ``NextToken``). TestEventPattern, which moto leaves empty, answers with EventBridge's
matching (``event_matching``), so presets can be tried on recorded AWS events. The Resource
Groups Tagging API answers for rules (``events:rule``) as AWS does; moto lists only buses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from moto.core.resource_tagging import TaggedResource
from moto.events.exceptions import InvalidEventPatternException, ValidationException
from moto.events.models import EventsBackend
from moto.events.responses import EventsHandler

from sentinel.config.event_patterns import (
    pattern_limit,
    pattern_problems,
    put_rule_limits,
    rule_name_pattern,
)
from sentinel.emulator.extensions.event_matching import matches

_MARK = "_sentinel_checked"


def install() -> None:
    if getattr(EventsHandler.put_rule, _MARK, False):
        return
    original = EventsHandler.put_rule

    def put_rule(self: EventsHandler) -> Any:
        check_put_rule(
            self._get_param("Name") or "",
            self._get_param("EventPattern"),
            self._get_param("Description"),
        )
        return original(self)

    setattr(put_rule, _MARK, True)
    EventsHandler.put_rule = put_rule  # type: ignore[method-assign]
    EventsHandler.test_event_pattern = _test_event_pattern  # type: ignore[method-assign]
    buses = EventsBackend.iter_tagged_resources

    def tagged_resources(self: EventsBackend) -> Iterator[TaggedResource]:
        yield from buses(self)
        for bus in self.event_buses.values():
            for rule in bus.rules.values():
                tags = self.tagger.get_tag_dict_for_resource(rule.arn)
                yield TaggedResource(arn=rule.arn, tags=tags, resource_type="events:rule")

    EventsBackend.iter_tagged_resources = tagged_resources  # type: ignore[method-assign]


def _test_event_pattern(self: EventsHandler) -> Any:
    pattern = _checked_pattern(self._get_param("EventPattern") or "")
    try:
        event = json.loads(self._get_param("Event") or "")
    except ValueError:
        raise InvalidEventPatternException("the event is not valid JSON") from None
    if not isinstance(event, dict):
        raise ValidationException("Event is not a JSON object")
    return json.dumps({"Result": matches(pattern, event)})


def check_put_rule(name: str, pattern: str | None, description: str | None) -> None:
    spec = put_rule_limits("Name")
    if not spec["min"] <= len(name) <= spec["max"] or not rule_name_pattern().fullmatch(name):
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
            f"constraint: Member must have length less than or equal to {spec['max']} and "
            f"satisfy regular expression pattern: {spec['pattern']}"
        )
    most = put_rule_limits("Description")["max"]
    if description is not None and len(description) > most:
        raise ValidationException(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
            f"Member must have length less than or equal to {most}"
        )
    if pattern is None:
        return
    if len(pattern) > pattern_limit():
        raise ValidationException(
            "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: "
            f"Member must have length less than or equal to {pattern_limit()}"
        )
    _checked_pattern(pattern)


def _checked_pattern(text: str) -> Any:
    """The pattern parsed, or EventBridge's InvalidEventPatternException with its first fault."""
    try:
        pattern = json.loads(text)
    except ValueError:
        raise InvalidEventPatternException("the pattern is not valid JSON") from None
    problems = pattern_problems(pattern)
    if problems:
        raise InvalidEventPatternException(problems[0])
    return pattern
