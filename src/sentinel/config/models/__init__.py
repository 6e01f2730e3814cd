"""The typed models of every configuration file kind."""

from sentinel.config.models.alarms import AlarmRule, AlarmsFile, CompositeAlarm
from sentinel.config.models.base import ForEach, MetricRef
from sentinel.config.models.budgets import Budget, BudgetAlert, BudgetsFile, Tagging, TagRule
from sentinel.config.models.dashboards import Dashboard, DashboardsFile
from sentinel.config.models.monitors import (
    AnomalyDetection,
    CostReport,
    MonitorsFile,
    RightSizing,
    Slo,
    SloReview,
)
from sentinel.config.models.project import Project
from sentinel.config.models.routing import Routing, Severity

__all__ = [
    "AlarmRule",
    "AlarmsFile",
    "AnomalyDetection",
    "Budget",
    "BudgetAlert",
    "BudgetsFile",
    "CompositeAlarm",
    "CostReport",
    "Dashboard",
    "DashboardsFile",
    "ForEach",
    "MetricRef",
    "MonitorsFile",
    "Project",
    "RightSizing",
    "Routing",
    "Severity",
    "Slo",
    "SloReview",
    "TagRule",
    "Tagging",
]
