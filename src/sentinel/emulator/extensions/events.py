"""EventBridge PutRule checked as AWS checks it.

moto saves a rule of any name length, and any content filter in its pattern (an unknown
``prefixx``, ``numeric`` against a string). AWS refuses a Name outside 1-64 characters of
``[.\\-_A-Za-z0-9]`` and an EventPattern over 4,096 characters (botocore's events model) with a
ValidationException, and a pattern outside EventBridge's pattern grammar with an
InvalidEventPatternException. ListRules and ListTargetsByRule already page in moto (``Limit``
and ``NextToken``). TestEventPattern, which moto leaves empty, answers with EventBridge's
matching (``event_matching``), so presets can be tried on recorded AWS events.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moto.events.exceptions import InvalidEventPatternException, ValidationException
from moto.events.responses import EventsHandler

from sentinel.config.event_patterns import PATTERN_LIMIT, pattern_problems
from sentinel.emulator.extensions.event_matching import matches

NAME_LIMIT = 64
DESCRIPTION_LIMIT = 512
_NAME = re.compile(r"^[\.\-_A-Za-z0-9]+$")
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


def _test_event_pattern(self: EventsHandler) -> Any:
    text = self._get_param("EventPattern") or ""
    try:
        pattern = json.loads(text)
        event = json.loads(self._get_param("Event") or "")
    except ValueError:
        raise InvalidEventPatternException("the pattern or the event is not valid JSON") from None
    problems = pattern_problems(pattern)
    if problems:
        raise InvalidEventPatternException(problems[0])
    if not isinstance(event, dict):
        raise ValidationException("Event is not a JSON object")
    return json.dumps({"Result": matches(pattern, event)})


def check_put_rule(name: str, pattern: str | None, description: str | None) -> None:
    if not 1 <= len(name) <= NAME_LIMIT or not _NAME.match(name):
        raise ValidationException(
            f"1 validation error detected: Value '{name}' at 'name' failed to satisfy "
            f"constraint: Member must have length less than or equal to {NAME_LIMIT} and "
            "satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+"
        )
    if description is not None and len(description) > DESCRIPTION_LIMIT:
        raise ValidationException(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: "
            f"Member must have length less than or equal to {DESCRIPTION_LIMIT}"
        )
    if pattern is None:
        return
    if len(pattern) > PATTERN_LIMIT:
        raise ValidationException(
            "1 validation error detected: Value at 'eventPattern' failed to satisfy constraint: "
            f"Member must have length less than or equal to {PATTERN_LIMIT}"
        )
    try:
        parsed = json.loads(pattern)
    except ValueError:
        raise InvalidEventPatternException("the pattern is not valid JSON") from None
    problems = pattern_problems(parsed)
    if problems:
        raise InvalidEventPatternException(problems[0])
