"""``Config``: a whole, valid configuration, the one object the engines act on."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from sentinel.config.models import (
    AlarmRule,
    AnomalyDetection,
    Budget,
    CompositeAlarm,
    CostReport,
    Dashboard,
    Project,
    RightSizing,
    Routing,
    Slo,
    SloReview,
    Tagging,
)
from sentinel.config.models.events import EventRule
from sentinel.config.models.log_groups import LogGroups
from sentinel.config.models.uptime import UptimeCheck, UptimeDefaults
from sentinel.config.references import Where
from sentinel.errors import ConfigWarning


@dataclass
class Config:
    """A whole, valid configuration: what the engines act on."""

    root: Path
    project: Project
    routing: Routing | None = None
    alarms: list[AlarmRule] = field(default_factory=list)
    composites: list[CompositeAlarm] = field(default_factory=list)
    events: list[EventRule] = field(default_factory=list)
    dashboards: list[Dashboard] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    tagging: Tagging | None = None
    slos: list[Slo] = field(default_factory=list)
    cost_report: CostReport | None = None
    anomaly_detection: AnomalyDetection | None = None
    rightsizing: RightSizing | None = None
    slo_review: SloReview | None = None
    # None when no monitors file has `uptime:`: Route 53 and Synthetics are then not read.
    uptime: list[UptimeCheck] | None = None
    uptime_defaults: UptimeDefaults | None = None
    log_groups: list[LogGroups] = field(default_factory=list)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)
    # Valid settings that do nothing and files that are not read; shown, never fatal.
    warnings: list[ConfigWarning] = field(default_factory=list)
    positions: dict[tuple[str, str], Where] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.project.project

    def source(self, kind: str, name: str) -> str:
        """``file:line`` where a named item is defined, for messages at plan time."""
        return self.sources.get((kind, name), str(self.root))

    def placed(self, account_id: str | None, account_name: str | None, region: str) -> Config:
        """The configuration of one account and region: the alarm rules, composites,
        dashboards, budgets, SLOs and tag rules whose ``accounts:`` and ``regions:`` leave it
        out are left out."""
        where = (account_id, account_name, region)
        tagging = self.tagging
        if tagging is not None:
            rules = [rule for rule in tagging.required if rule.placed_in(*where)]
            tagging = tagging.model_copy(update={"required": rules}) if rules else None
        return replace(
            self,
            alarms=[rule for rule in self.alarms if rule.placed_in(*where)],
            composites=[each for each in self.composites if each.placed_in(*where)],
            dashboards=[board for board in self.dashboards if board.placed_in(*where)],
            budgets=[budget for budget in self.budgets if budget.in_account(*where[:2])],
            slos=[slo for slo in self.slos if slo.placed_in(*where)],
            tagging=tagging,
        )
