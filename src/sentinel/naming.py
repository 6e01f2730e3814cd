"""Names of managed resources: the project prefix and the ownership tag say what Sentinel owns."""

from __future__ import annotations

import hashlib
import re

PROJECT_TAG = "sentinel:project"
MANAGED_BY_TAG = "sentinel:managed-by"
ALARM_NAME_LIMIT = 255
TOPIC_NAME_LIMIT = 256
DASHBOARD_NAME_LIMIT = 255
BUDGET_NAME_LIMIT = 100
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:/+=@-]")


def prefix(project: str) -> str:
    """Every managed name starts with this; other projects' names never do."""
    return f"{project}-"


def managed_name(project: str, *parts: str, limit: int = ALARM_NAME_LIMIT) -> str:
    """``<project>-<part>-<part>``, cut to ``limit`` with a hash so two long names never collide."""
    name = "-".join([project, *parts])
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: limit - len(digest) - 1]}-{digest}"


def alarm_name(project: str, rule: str, resource_id: str | None = None) -> str:
    parts = [rule] if resource_id is None else [rule, resource_id]
    return managed_name(project, *parts, limit=ALARM_NAME_LIMIT)


def instance_name(template: str, resource_id: str) -> str:
    """A template's instance for one resource, named as templated alarms are: ``<name>-<id>``."""
    return f"{template}-{resource_id}"


def topic_name(project: str, topic: str) -> str:
    """SNS topic of a severity tier; topic names allow only letters, digits, - and _."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", topic)
    return managed_name(project, safe, limit=TOPIC_NAME_LIMIT)


def dashboard_name(project: str, dashboard: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_-]", "-", dashboard)
    return managed_name(project, safe, limit=DASHBOARD_NAME_LIMIT)


def budget_name(project: str, budget: str) -> str:
    return managed_name(project, budget, limit=BUDGET_NAME_LIMIT)


def dashboard_name_of(project: str, dashboard: object) -> str:
    """A configured dashboard's AWS name: its ``aws_name``, else ``<project>-<name>``."""
    explicit = getattr(dashboard, "aws_name", None)
    return explicit or dashboard_name(project, dashboard.name)  # type: ignore[attr-defined]


def budget_name_of(project: str, budget: object) -> str:
    """A configured budget's AWS name: its ``aws_name``, else ``<project>-<name>``."""
    explicit = getattr(budget, "aws_name", None)
    return explicit or budget_name(project, budget.name)  # type: ignore[attr-defined]


def ownership_tags(project: str) -> dict[str, str]:
    return {PROJECT_TAG: project, MANAGED_BY_TAG: "sentinel"}


def severity_topic(config: object, severity: str) -> str:
    """The SNS topic name of a severity as configured: its ``aws_name`` as is, else
    ``<project>-`` and its ``topic:`` or the severity's name."""
    routing = getattr(config, "routing", None)
    tier = routing.severities.get(severity) if routing else None
    if tier is not None and tier.aws_name:
        return str(tier.aws_name)
    return topic_name(config.name, (tier.topic if tier and tier.topic else severity))  # type: ignore[attr-defined]


def event_rule_name(project: str, rule: str) -> str:
    """An EventBridge rule's name: ``<project>-<rule>``, never cut (validate refuses what
    PutRule's Name does not take)."""
    return f"{project}-{rule}"
