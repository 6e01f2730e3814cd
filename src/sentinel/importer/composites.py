"""Composite alarms, their AlarmRule rewritten to the config's rule names.

A name of an alarm imported as a static rule becomes the rule's name; any other name (an
alarm of a template, or one not imported) stays as written, which Sentinel leaves alone.
The rewritten rule must plan back to the AlarmRule AWS holds, character for character but for
spacing; one that would not (names written without quotes) is listed as not represented.
"""

from __future__ import annotations

import re
from typing import Any

from sentinel.config.references import RULE_REFERENCE
from sentinel.importer.alarms import Unrepresentable, describe_fields
from sentinel.importer.names import Names
from sentinel.importer.result import ImportResult
from sentinel.importer.routing import Routes
from sentinel.importer.rules import UNROUTED, Rules, action_pattern, severity_of


def build_composites(
    composites: list[dict[str, Any]],
    alarms: list[dict[str, Any]],
    routes: Routes,
    rules: Rules,
    names: Names,
    result: ImportResult,
) -> dict[str, list[dict[str, Any]]]:
    by_severity: dict[str, list[dict[str, Any]]] = {}
    pattern = action_pattern(alarms + composites)
    names_of = dict(rules.rule_of_alarm)
    # Composite names first: a composite may use another.
    planned: list[tuple[dict[str, Any], str, str | None]] = []
    for composite in sorted(composites, key=lambda c: c["AlarmName"]):
        name, aws_name = names.for_aws(composite["AlarmName"])
        planned.append((composite, name, aws_name))
        names_of[composite["AlarmName"]] = name
    for composite, name, aws_name in planned:
        aws = composite["AlarmName"]
        try:
            if composite.get("ActionsSuppressor"):
                raise Unrepresentable("an actions suppressor has no composite form")
            if not composite.get("ActionsEnabled", True):
                raise Unrepresentable("its actions are disabled; Sentinel's alarms always act")
            severity = severity_of(composite, routes, pattern)
            if severity == UNROUTED:
                raise Unrepresentable("it notifies no imported topic")
            rule = rewrite_rule(str(composite.get("AlarmRule") or ""), names_of)
        except Unrepresentable as exc:
            result.skip("composite alarm", aws, str(exc))
            names.taken.discard(name)
            continue
        entry: dict[str, Any] = {"name": name}
        if aws_name is not None:
            entry["aws_name"] = aws_name
        entry["severity"] = severity
        try:
            entry.update(describe_fields(composite.get("AlarmDescription") or ""))
        except Unrepresentable as exc:
            result.skip("composite alarm", aws, str(exc))
            continue
        entry["rule"] = rule
        by_severity.setdefault(severity, []).append(entry)
        result.imported["composite alarm"] += 1
    return by_severity


def used_alarms(composites: list[dict[str, Any]]) -> frozenset[str]:
    """Every alarm name the composites' rules use."""
    return frozenset(
        m.group(2).strip()
        for c in composites
        for m in RULE_REFERENCE.finditer(str(c.get("AlarmRule") or ""))
    )


def rewrite_rule(rule: str, names_of: dict[str, str]) -> str:
    """The rule over rule names; Unrepresentable when it would not plan back to ``rule``."""
    if re.search(r"\bAT_LEAST\s*\(", rule):
        raise Unrepresentable(
            "its rule counts alarms with AT_LEAST; Sentinel writes AT_LEAST from "
            "count(ALARM(<templated rule>)) >= N, over the alarms of one templated rule"
        )

    def replace(match: re.Match[str]) -> str:
        state, name = match.group(1), match.group(2).strip()
        if name not in names_of:
            raise Unrepresentable(f"its rule uses {name!r}, which is not imported as a rule")
        return f"{state}({names_of[name]})"

    rewritten = RULE_REFERENCE.sub(replace, rule.strip())
    back = {config: aws for aws, config in names_of.items()}

    def plan_back(match: re.Match[str]) -> str:
        state, name = match.group(1), match.group(2).strip()
        return f'{state}("{back.get(name, name)}")'

    if " ".join(RULE_REFERENCE.sub(plan_back, rewritten).split()) != " ".join(rule.split()):
        raise Unrepresentable(
            'its rule names alarms without quotes; Sentinel writes them as ALARM("name")'
        )
    return rewritten
