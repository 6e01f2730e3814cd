"""CloudWatch alarms as AWS serves them: composite alarms, alarm types and paged descriptions.

moto 5.2.5 has no PutCompositeAlarm, returns composite alarms whatever ``AlarmTypes`` asks
for, ignores ``MaxRecords``/``NextToken``, and keeps an alarm's tags after DeleteAlarms.
Here composite alarms live in moto's CloudWatch backend next to metric alarms (an alarm with
a rule), so DescribeAlarms, DeleteAlarms, SetAlarmState and the tagging calls serve both;
DescribeAlarms returns metric alarms only unless ``AlarmTypes`` names composites, as AWS
does, sorted by name and paged when ``MaxRecords`` is given, refusing more than 100
``AlarmNames``; DeleteAlarms drops the tags.

PutCompositeAlarm refuses what AWS refuses: a rule over 10240 characters (the service model's
maximum, which botocore does not check), a rule that does not parse, more than 100 child
alarms, child alarms that do not exist ("Could not save the composite alarm as alarms
[...] in the alarm rule do not exist"), and a child already in the rules of 150 composites.
Composite rules are evaluated (``composite_rules``) when the composite is written and whenever
an alarm's state changes (SetAlarmState), composites of composites too; each state change
publishes the alarm's actions of the new state to their SNS topics, with the message CloudWatch
sends.
"""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from moto.cloudwatch.exceptions import InvalidParameterValue, ValidationError
from moto.cloudwatch.models import Alarm, CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult, EmptyResult

from sentinel.emulator.extensions.alarm_actions import propagate
from sentinel.emulator.extensions.composite_rules import RuleError, parse

MAX_RECORDS = 100
MAX_NAMES = 100  # AlarmNames' maximum in the service model, which AWS enforces and moto does not
MAX_RULE_LENGTH = 10240  # PutCompositeAlarm AlarmRule's maximum in the service model
MAX_CHILDREN = 100  # "The AlarmRule can specify as many as 100 children alarms"
# "Any single alarm can be included in the rule expressions of as many as 150 composite alarms"
MAX_COMPOSITES_PER_ALARM = 150
_moto_delete_alarms = CloudWatchBackend.delete_alarms
_moto_set_alarm_state = CloudWatchBackend.set_alarm_state


def install() -> None:
    CloudWatchResponse.put_composite_alarm = _put_composite_alarm  # type: ignore[attr-defined]
    CloudWatchResponse.describe_alarms = _describe_alarms  # type: ignore[method-assign]
    CloudWatchBackend.delete_alarms = _delete_alarms  # type: ignore[method-assign]
    CloudWatchBackend.set_alarm_state = _set_alarm_state  # type: ignore[method-assign]


def _set_alarm_state(
    self: CloudWatchBackend, alarm_name: str, reason: str, reason_data: str, state_value: str
) -> None:
    """moto's SetAlarmState, then the actions of a changed state and the composites over it."""
    alarm = self.alarms.get(alarm_name)
    before = alarm.state_value if alarm is not None else None
    _moto_set_alarm_state(self, alarm_name, reason, reason_data, state_value)
    if before != state_value:
        propagate(self, self.alarms[alarm_name], before or "INSUFFICIENT_DATA")


def _put_composite_alarm(self: CloudWatchResponse) -> EmptyResult:
    name = self._get_param("AlarmName")
    rule = self._get_param("AlarmRule")
    if not name:
        raise ValidationError("The parameter AlarmName is required.")
    if not rule or not str(rule).strip():
        raise ValidationError("The parameter AlarmRule is required.")
    _check_rule(self.cloudwatch_backend, name, str(rule))
    existing = self.cloudwatch_backend.alarms.get(name)
    if existing is not None and existing.rule is None:
        raise InvalidParameterValue(
            f"The alarm {name} is a metric alarm; a composite alarm needs another name."
        )
    suppressor = self._get_param("ActionsSuppressor")
    wait = self._get_int_param("ActionsSuppressorWaitPeriod")
    extension = self._get_int_param("ActionsSuppressorExtensionPeriod")
    if suppressor and (wait is None or extension is None):
        raise ValidationError(
            "ActionsSuppressorWaitPeriod and ActionsSuppressorExtensionPeriod are required when "
            "ActionsSuppressor is specified."
        )
    before = existing.state_value if existing is not None else None
    self.cloudwatch_backend.put_metric_alarm(
        name=name,
        namespace=None,  # type: ignore[arg-type]
        metric_name=None,  # type: ignore[arg-type]
        comparison_operator=None,  # type: ignore[arg-type]
        evaluation_periods=None,  # type: ignore[arg-type]
        period=None,  # type: ignore[arg-type]
        threshold=None,  # type: ignore[arg-type]
        statistic=None,  # type: ignore[arg-type]
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions", []),
        ok_actions=self._get_param("OKActions", []),
        insufficient_data_actions=self._get_param("InsufficientDataActions", []),
        actions_enabled=self._get_bool_param("ActionsEnabled", True),
        rule=rule,
        tags=self._get_param("Tags", []),
    )
    composite = self.cloudwatch_backend.alarms[name]
    # Stored as sent, and left out when not sent: PutCompositeAlarm overwrites the whole alarm.
    composite.actions_suppressor = suppressor  # type: ignore[attr-defined]
    composite.actions_suppressor_wait_period = wait  # type: ignore[attr-defined]
    composite.actions_suppressor_extension_period = extension  # type: ignore[attr-defined]
    if before is not None:
        composite.state_value = before  # moto's put starts every alarm over, AWS keeps the state
    propagate(self.cloudwatch_backend, composite, None)
    return EmptyResult()


def _check_rule(backend: CloudWatchBackend, name: str, rule: str) -> None:
    if len(rule) > MAX_RULE_LENGTH:
        raise ValidationError(
            "1 validation error detected: Value at 'alarmRule' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_RULE_LENGTH}"
        )
    try:
        children = parse(rule).alarms
    except RuleError as exc:
        raise ValidationError(f"Error in AlarmRule [{exc}]") from None
    unique = list(dict.fromkeys(children))
    if len(unique) > MAX_CHILDREN:
        raise ValidationError(
            f"The AlarmRule names {len(unique)} alarms; at most {MAX_CHILDREN} are allowed."
        )
    missing = [child for child in unique if child not in backend.alarms]
    if missing:
        raise ValidationError(
            f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the "
            "alarm rule do not exist"
        )
    users = Counter(
        child
        for other in backend.alarms.values()
        if other.rule is not None and other.name != name
        for child in _children(other.rule)
    )
    full = [child for child in unique if users[child] >= MAX_COMPOSITES_PER_ALARM]
    if full:
        raise ValidationError(
            f"Alarms [{', '.join(full)}] are already in the rules of "
            f"{MAX_COMPOSITES_PER_ALARM} composite alarms, the most an alarm can be in"
        )


@lru_cache(maxsize=4096)
def _children(rule: str) -> frozenset[str]:
    try:
        return frozenset(parse(rule).alarms)
    except RuleError:
        return frozenset()


def _describe_alarms(self: CloudWatchResponse) -> ActionResult:
    backend = self.cloudwatch_backend
    action_prefix = self._get_param("ActionPrefix")
    name_prefix = self._get_param("AlarmNamePrefix")
    names = self._get_param("AlarmNames", [])
    state_value = self._get_param("StateValue")
    types = self._get_param("AlarmTypes", []) or ["MetricAlarm"]
    max_records = self._get_int_param("MaxRecords")
    token = self._get_param("NextToken")

    alarms: Iterable[Alarm]
    if action_prefix:
        alarms = backend.get_alarms_by_action_prefix(action_prefix)
    elif name_prefix:
        alarms = backend.get_alarms_by_alarm_name_prefix(name_prefix)
    elif names:
        if len(names) > MAX_NAMES:
            raise InvalidParameterValue(
                f"The collection AlarmNames has {len(names)} names; at most {MAX_NAMES} are "
                "allowed."
            )
        # By key, as AWS looks them up: moto scans every alarm for each name.
        alarms = [backend.alarms[name] for name in dict.fromkeys(names) if name in backend.alarms]
    else:
        alarms = backend.describe_alarms()
    if state_value:
        alarms = [a for a in alarms if a.state_value == state_value]
    wanted = [
        alarm
        for alarm in sorted(alarms, key=lambda a: a.name)
        if ("CompositeAlarm" if alarm.rule is not None else "MetricAlarm") in types
    ]
    if token:
        after = _decode(token)
        wanted = [alarm for alarm in wanted if alarm.name > after]
    next_token = None
    if max_records is not None:
        if not 1 <= max_records <= MAX_RECORDS:
            raise InvalidParameterValue(
                f"The value {max_records} for parameter MaxRecords is not in the range 1-100."
            )
        if len(wanted) > max_records:
            wanted = wanted[:max_records]
            next_token = _encode(wanted[-1].name)
    result: dict[str, Any] = {
        "MetricAlarms": [a for a in wanted if a.rule is None],
        "CompositeAlarms": [a for a in wanted if a.rule is not None],
    }
    if next_token:
        result["NextToken"] = next_token
    return ActionResult(result)


def _delete_alarms(self: CloudWatchBackend, alarm_names: list[str]) -> None:
    arns = [self.alarms[name].alarm_arn for name in alarm_names if name in self.alarms]
    _moto_delete_alarms(self, alarm_names)
    for arn in arns:
        self.tagger.delete_all_tags_for_resource(arn)


def _encode(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).decode()


def _decode(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        raise InvalidParameterValue("The value for parameter NextToken is not valid.") from None
