"""Alarms grouped by severity and collapsed into rules: the content of alarms/<severity>.yaml."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pydantic

from sentinel.config.models import AlarmRule
from sentinel.importer.alarms import (
    AlarmDefaults,
    Unrepresentable,
    expression_label,
    rule_fields,
)
from sentinel.importer.collapse import (
    ResourceIndex,
    alarm_match,
    find_filter,
    for_each_yaml,
    name_pattern,
    templated,
)
from sentinel.importer.names import Names, is_name, slug
from sentinel.importer.result import ImportResult, StaticFallback
from sentinel.importer.routing import Routes

UNROUTED = "unrouted"
MIN_GROUP = 2


@dataclass
class Rules:
    by_severity: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unrouted: list[dict[str, Any]] = field(default_factory=list)
    rule_of_alarm: dict[str, str] = field(default_factory=dict)
    """AWS name of a static rule's alarm -> the rule name."""
    alarms_of_rule: dict[str, list[str]] = field(default_factory=dict)
    """Rule name -> its alarms' AWS names, in the order plan lists them."""


def action_pattern(alarms: list[dict[str, Any]]) -> dict[str, tuple[bool, bool]]:
    """Topic ARN -> (OK actions, insufficient-data actions) as most alarms notifying it have."""
    seen: dict[str, Counter[tuple[bool, bool]]] = defaultdict(Counter)
    for alarm in alarms:
        for arn in set(alarm.get("AlarmActions") or []):
            seen[arn][
                (
                    arn in (alarm.get("OKActions") or []),
                    arn in (alarm.get("InsufficientDataActions") or []),
                )
            ] += 1
    return {arn: counts.most_common(1)[0][0] for arn, counts in seen.items()}


def severity_of(
    alarm: dict[str, Any], routes: Routes, pattern: dict[str, tuple[bool, bool]]
) -> str:
    """The severity whose topic the alarm notifies; UNROUTED; or Unrepresentable."""
    alarm_actions = alarm.get("AlarmActions") or []
    ok = alarm.get("OKActions") or []
    insufficient = alarm.get("InsufficientDataActions") or []
    every = set(alarm_actions) | set(ok) | set(insufficient)
    unknown = sorted(a for a in every if a not in routes.severity_of)
    if not every or unknown:
        return UNROUTED
    if len(set(alarm_actions)) != 1 or len(alarm_actions) != 1:
        raise Unrepresentable("its alarm actions notify more than one topic, or only OK states")
    topic = alarm_actions[0]
    if set(ok) - {topic} or set(insufficient) - {topic}:
        raise Unrepresentable("its OK or insufficient-data actions notify another topic")
    want_ok, want_insufficient = pattern.get(topic, (True, False))
    if bool(ok) != want_ok or bool(insufficient) != want_insufficient:
        raise Unrepresentable(
            "its OK / insufficient-data actions differ from the other alarms of its topic "
            f"({'with' if want_ok else 'without'} OK actions)"
        )
    return routes.severity_of[topic]


@dataclass
class _Entry:
    alarm: dict[str, Any]
    severity: str
    fields: dict[str, Any]
    label: str | None


def build_rules(
    alarms: list[dict[str, Any]],
    routes: Routes,
    index: ResourceIndex,
    defaults: AlarmDefaults,
    names: Names,
    result: ImportResult,
    pinned: frozenset[str] = frozenset(),
) -> Rules:
    """``pinned``: alarms a composite uses, which stay static rules (a composite over a
    template's alarm needs the composite to be templated the same way)."""
    rules = Rules()
    pattern = action_pattern(alarms)
    groups: dict[str, list[tuple[_Entry, Any, dict[str, Any], str]]] = defaultdict(list)
    statics: list[_Entry] = []
    for alarm in sorted(alarms, key=lambda a: a["AlarmName"]):
        try:
            severity = severity_of(alarm, routes, pattern)
            fields = rule_fields(alarm, defaults)
        except Unrepresentable as exc:
            result.skip("alarm", alarm["AlarmName"], str(exc))
            continue
        entry = _Entry(alarm, severity, fields, expression_label(alarm))
        match = alarm_match(index, fields)
        shape = templated(fields, match) if match else None
        pattern_name = name_pattern(alarm["AlarmName"], match.resource) if match else None
        if (
            match is None
            or shape is None
            or pattern_name is None
            or severity == UNROUTED
            or alarm["AlarmName"] in pinned
        ):
            statics.append(entry)
            continue
        key = json.dumps([severity, match.type, shape, pattern_name, entry.label], sort_keys=True)
        groups[key].append((entry, match, shape, pattern_name))
    # The largest group of a name pattern takes its plain name, the others get an aws_name.
    for _, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        first, match, shape, pattern_name = members[0]
        resources = [m[1].resource for m in members]
        for_each = find_filter(index, match.type, resources) if len(members) >= MIN_GROUP else None
        if for_each is None:
            if len(members) >= MIN_GROUP:
                result.static_fallbacks.append(
                    StaticFallback(
                        pattern_name,
                        len(members),
                        f"no tags/where filter selects exactly these {len(members)} of the "
                        f"{len(index.all_of(match.type))} {match.type} resources",
                    )
                )
            statics.extend(m[0] for m in members)
            continue
        name, aws_name = _rule_name(names, pattern_name, templated_name=True)
        rule = _rule(name, aws_name, first.severity, shape, for_each_yaml(for_each), first.label)
        if _invalid(rule, members[0][0].alarm["AlarmName"], result):
            continue
        ordered = sorted(members, key=lambda m: m[1].resource.id)
        rules.alarms_of_rule[name] = [m[0].alarm["AlarmName"] for m in ordered]
        rules.by_severity.setdefault(first.severity, []).append(rule)
        result.imported["alarm"] += len(members)
        result.rules += 1
        result.templates += 1
    for entry in sorted(statics, key=lambda e: e.alarm["AlarmName"]):
        aws = entry.alarm["AlarmName"]
        name, aws_name = _rule_name(names, aws, templated_name=False)
        rule = _rule(name, aws_name, entry.severity, entry.fields, None, entry.label)
        if _invalid(rule, aws, result):
            continue
        if entry.severity == UNROUTED:
            rules.unrouted.append(rule)
            result.skip(
                "alarm",
                aws,
                "notifies no imported topic: its rule is in unrouted-alarms.yaml, "
                "outside the config, to be given a severity",
            )
            continue
        rules.rule_of_alarm[aws] = name
        rules.alarms_of_rule[name] = [aws]
        rules.by_severity.setdefault(entry.severity, []).append(rule)
        result.imported["alarm"] += 1
        result.rules += 1
    return rules


def _rule_name(names: Names, aws: str, templated_name: bool) -> tuple[str, str | None]:
    """(rule name, aws_name) for an alarm name or a ``{id}`` name pattern."""
    head = f"{names.project}-"
    tail = "-{id}" if templated_name else ""
    core = aws[len(head) : len(aws) - len(tail)] if aws.startswith(head) else None
    if templated_name and not aws.endswith(tail):
        core = None
    if core is not None and is_name(core) and core not in names.taken:
        names.taken.add(core)
        return core, None
    base = aws.removeprefix(head).replace("{id}", "")
    return names.claim(slug(base)), aws


def _rule(
    name: str,
    aws_name: str | None,
    severity: str,
    fields: dict[str, Any],
    for_each: dict[str, Any] | None,
    label: str | None,
) -> dict[str, Any]:
    rule: dict[str, Any] = {"name": name}
    if aws_name is not None:
        rule["aws_name"] = aws_name
    rule["severity"] = severity
    for key in ("description", "runbook"):
        if key in fields:
            rule[key] = fields[key]
    if for_each is not None:
        rule["for_each"] = for_each
    for key, value in fields.items():
        if key not in ("description", "runbook"):
            rule[key] = value
        if key == "metrics" and label != name:
            rule["label"] = label
    return rule


def _invalid(rule: dict[str, Any], aws: str, result: ImportResult) -> bool:
    """True (and listed) when the rule is not one the config loader accepts."""
    try:
        AlarmRule.model_validate({k: v for k, v in rule.items() if k != "aws_name"})
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        result.skip("alarm", aws, f"{where}: {first['msg']}" if where else first["msg"])
        return True
    return False
