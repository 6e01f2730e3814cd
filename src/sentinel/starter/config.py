"""``sentinel init``: sentinel.yaml, routing to one address, and the recommended alarms per type.

The inventory of the account is read first and every file is built in memory; nothing is written
when anything fails (a bad address, a non-empty directory, an AWS error).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sentinel.config.files import PROJECT_FILE, ROUTING_FILE
from sentinel.config.units import SYMBOLS, format_duration
from sentinel.errors import RefusedError, SentinelError
from sentinel.inventory import Inventory, Resource
from sentinel.starter.recommended import Recommendation, covered_types, for_type
from sentinel.sync.templates import expand

# The address rules of the routing model (sentinel.config.models.routing), said as a sentence.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
PROJECT_NAME_LIMIT = 40
DEFAULT_PROJECT = "sentinel"
SEVERITIES = ("critical", "warning")


class StarterError(SentinelError):
    """An argument of ``sentinel init`` that cannot make a valid configuration."""


@dataclass(frozen=True)
class StarterFile:
    """One alarms file: the rules written for a type, and the recommendations left as comments."""

    path: Path
    type: str
    resources: int
    rules: int
    alarms: int
    not_written: int


@dataclass
class StarterResult:
    directory: Path
    project: str
    region: str
    email: str
    files: list[Path] = field(default_factory=list)
    alarm_files: list[StarterFile] = field(default_factory=list)

    @property
    def rules(self) -> int:
        return sum(f.rules for f in self.alarm_files)

    @property
    def alarms(self) -> int:
        return sum(f.alarms for f in self.alarm_files)


def project_name(directory: Path) -> str:
    """The directory's name made a valid project name: lower case, letters, digits, - _ ."""
    name = re.sub(r"[^a-z0-9._-]+", "-", directory.resolve().name.lower())
    name = re.sub(r"^[^a-z0-9]+", "", name)[:PROJECT_NAME_LIMIT].rstrip("-._")
    return name or DEFAULT_PROJECT


def check_arguments(email: str, project: str | None) -> None:
    problems = []
    if not _EMAIL.match(email):
        problems.append(f"--email {email!r} is not an email address (expected name@example.com)")
    if project is not None and not (_NAME.match(project) and len(project) <= PROJECT_NAME_LIMIT):
        problems.append(
            f"--project {project!r} is not a project name: lower-case letters, digits, '-', '_' "
            f"and '.', starting with a letter or digit, at most {PROJECT_NAME_LIMIT} characters"
        )
    if problems:
        raise StarterError("; ".join(problems))


def write_starter(
    directory: Path,
    email: str,
    inventory: Inventory,
    region: str,
    *,
    project: str | None = None,
    force: bool = False,
) -> StarterResult:
    """Write a starter configuration into ``directory`` for the resources ``inventory`` finds."""
    check_arguments(email, project)
    if directory.exists() and not directory.is_dir():
        raise StarterError(f"{directory} is not a directory")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise RefusedError(
            f"{directory} is not empty: init writes into an empty directory (--force to write "
            "into it anyway, replacing the files init writes)"
        )
    name = project or project_name(directory)
    resources = inventory.all(covered_types())
    by_type: dict[str, list[Resource]] = {}
    for resource in resources:
        by_type.setdefault(resource.type, []).append(resource)
    result = StarterResult(directory=directory, project=name, region=region, email=email)
    texts: dict[Path, str] = {
        directory / PROJECT_FILE: _project_text(name, region),
        directory / "alarms" / ROUTING_FILE: _routing_text(email),
    }
    names: set[str] = set()
    for type_name in covered_types():
        found = by_type.get(type_name, [])
        if not found:
            continue
        path = directory / "alarms" / f"recommended-{_slug(type_name)}.yaml"
        text, starter_file = _alarms_text(path, type_name, found, inventory, region, names)
        texts[path] = text
        result.alarm_files.append(starter_file)
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.files.append(path)
    return result


def _project_text(name: str, region: str) -> str:
    body = {
        "project": name,
        "description": "Starter configuration from CloudWatch's recommended alarms",
        "regions": [region],
    }
    return (
        "# Written by `sentinel init`. The project name prefixes every alarm and topic Sentinel\n"
        "# creates; see alarms/ for the rules and their routing.\n" + _dump(body)
    )


def _routing_text(email: str) -> str:
    body = {
        "severities": {
            "critical": {
                "description": "The resource is down or about to lose data",
                "notify": [{"email": email}],
            },
            "warning": {
                "description": "Degraded or heading for a limit",
                "notify": [{"email": email}],
            },
        }
    }
    return (
        "# Both severities send email to one address (SNS asks it to confirm the subscription\n"
        "# once). Add pagerduty or slack destinations under `notify` as the team grows.\n"
        + _dump(body)
    )


def _alarms_text(
    path: Path,
    type_name: str,
    found: Sequence[Resource],
    inventory: Inventory,
    region: str,
    names: set[str],
) -> tuple[str, StarterFile]:
    lines = [
        f"# CloudWatch's recommended alarms for {type_name} ({len(found)} found in {region}).",
        "# Thresholds, periods and datapoints are as AWS publishes them; the description is the",
        "# alarm's intent and the runbook the section of the guide it comes from.",
        "alarms:",
    ]
    skipped: list[str] = []
    rules = alarms = not_written = 0
    for row in for_type(type_name):
        rule = _rule(row, type_name, names)
        reason = row.not_written_because()
        matched = list(found) if row.is_account_wide else _matches(rule, inventory, region)
        if reason is None and not matched:
            reason = f"no {type_name} in {region} matches {_where(row)}"
        if reason is not None:
            not_written += 1
            skipped.extend(_commented(row, rule, reason))
            continue
        split = [(rule, matched)] if row.is_account_wide else _split_by_id(row, rule, matched)
        for part, members in split:
            names.add(part["name"])
            rules += 1
            alarms += 1 if row.is_account_wide else len(members)
            lines.extend(_indent(_comment(f"{row.metric}: {row.justification}")))
            lines.extend(_indent(_dump([part]).splitlines()))
    if rules == 0:
        lines[-1] = "alarms: []"
    if skipped:
        lines.append("")
        lines.append("# Recommended, but not written: uncomment a rule once its value is chosen.")
        lines.extend(skipped)
    text = "\n".join(lines) + "\n"
    return text, StarterFile(path, type_name, len(found), rules, alarms, not_written)


def _rule(row: Recommendation, type_name: str, names: set[str]) -> dict[str, Any]:
    base = f"{_slug(type_name)}-{_metric_slug(row.metric)}"
    name, n = base, 2
    while name in names:
        name, n = f"{base}-{n}", n + 1
    rule: dict[str, Any] = {
        "name": name,
        "severity": row.severity,
        "description": row.intent,
        "runbook": row.source,
    }
    if not row.is_account_wide:
        for_each: dict[str, Any] = {"resource": type_name}
        if row.where:
            for_each["where"] = {key: list(values) for key, values in row.where.items()}
        rule["for_each"] = for_each
    rule["namespace"] = row.namespace
    rule["metric"] = row.metric
    if row.dimensions:
        rule["dimensions"] = {
            key: value if value is not None else f"<{key}>" for key, value in row.dimensions.items()
        }
    rule["statistic"] = row.statistic
    rule["condition"] = (
        row.condition if row.threshold is not None else f"{SYMBOLS[row.comparison]} <threshold>"
    )
    rule["period"] = format_duration(row.period)
    rule["for"] = format_duration(row.period * row.evaluation_periods)
    if row.datapoints_to_alarm != row.evaluation_periods:
        rule["datapoints_to_alarm"] = row.datapoints_to_alarm
    rule["treat_missing"] = row.treat_missing
    return rule


def _matches(rule: dict[str, Any], inventory: Inventory, region: str) -> list[Resource]:
    from sentinel.config.models import ForEach

    return expand(ForEach.model_validate(rule["for_each"]), inventory, region)


def _split_by_id(
    row: Recommendation, rule: dict[str, Any], matched: Sequence[Resource]
) -> list[tuple[dict[str, Any], list[Resource]]]:
    """One rule, or one per value of the attribute that tells resources of one id apart.

    Alarm names are made of the resource's id; ECS services of one name in two clusters would
    make one name twice, so their rule is written once per cluster (the attribute a dimension
    names).
    """
    ids = [resource.id for resource in matched]
    attributes = [
        match.group(1)
        for template in row.dimensions.values()
        if template is not None
        for match in re.finditer(r"\{attr:([A-Za-z_][A-Za-z0-9_]*)\}", template)
    ]
    if len(set(ids)) == len(ids) or not attributes:
        return [(rule, list(matched))]
    attribute = attributes[0]
    groups: dict[str, list[Resource]] = {}
    for resource in matched:
        groups.setdefault(str(resource.attributes.get(attribute)), []).append(resource)
    parts = []
    for value, members in sorted(groups.items()):
        part = {**rule, "name": f"{rule['name']}-{_slug(value)}"}
        where = {**part["for_each"].get("where", {}), attribute: [value]}
        part["for_each"] = {**part["for_each"], "where": where}
        parts.append((part, members))
    return parts


def _where(row: Recommendation) -> str:
    return ", ".join(f"{key} {'|'.join(values)}" for key, values in row.where.items())


def _commented(row: Recommendation, rule: dict[str, Any], reason: str) -> list[str]:
    lines = ["#", *_comment(f"{row.metric}: not written: {reason}.")]
    if row.justification:
        lines.extend(_comment(f"AWS: {row.justification}"))
    lines.extend(f"# {line}" for line in _indent(_dump([rule]).splitlines()))
    return lines


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in textwrap.wrap(text, width=96)]


def _indent(lines: Sequence[str]) -> list[str]:
    return [f"  {line}" for line in lines]


def _dump(value: Any) -> str:
    return yaml.safe_dump(
        value, sort_keys=False, width=100, allow_unicode=True, default_flow_style=None
    )


def _slug(type_name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", type_name.lower()).strip("-")


def _metric_slug(metric: str) -> str:
    """``CPUUtilization`` -> ``cpu-utilization``, ``EBSByteBalance%`` -> ``...-balance-pct``."""
    text = metric.replace("%", "Pct").replace("IDs", "Ids")
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", text)
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
