"""``self_monitoring:`` of sentinel.yaml as ordinary alarm rules, one per component.

Each rule alarms on ``Sentinel/Heartbeat`` of the project and component (what
``sentinel.telemetry.heartbeat`` publishes every minute): fewer than one datapoint a minute for
``for`` (5 minutes unless told), missing data breaching, so a router or daemon that stops, is
killed or is stuck raises the alarm. Rules like any other, they are planned, applied, tagged and
checked for drift by the alarm kind; their names are ``<project>-sentinel-<component>-heartbeat``.
"""

from __future__ import annotations

from sentinel.config.models import AlarmRule, Project
from sentinel.config.models.project import SelfMonitoring

NAMESPACE = "Sentinel"
METRIC = "Heartbeat"
PERIOD = 60  # one heartbeat a minute
WHAT = {"router": "The alert router (sentinel route)", "daemon": "The daemon (sentinel daemon)"}


def heartbeat_dimensions(project: str, component: str) -> dict[str, str]:
    """The heartbeat's dimensions, as published and as alarmed on."""
    return {"Project": project, "Component": component}


def heartbeat_rule_name(component: str) -> str:
    return f"sentinel-{component}-heartbeat"


def heartbeat_rules(project: Project) -> list[AlarmRule]:
    watching: SelfMonitoring | None = project.self_monitoring
    if watching is None:
        return []
    minutes = watching.for_ // 60
    return [
        AlarmRule.model_validate(
            {
                "name": heartbeat_rule_name(component),
                "severity": watching.severity,
                "description": (
                    f"{WHAT[component]} of {project.project} sent no heartbeat for {minutes} "
                    "minutes: it is stopped, stuck or cannot reach CloudWatch"
                ),
                "namespace": NAMESPACE,
                "metric": METRIC,
                "dimensions": heartbeat_dimensions(project.project, component),
                "statistic": "SampleCount",
                "condition": "< 1",
                "period": PERIOD,
                "for": watching.for_,
                "treat_missing": "breaching",
            }
        )
        for component in watching.components
    ]
