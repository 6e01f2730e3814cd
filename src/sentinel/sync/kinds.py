"""Managed kinds in dependency order: what an apply creates first comes first."""

from __future__ import annotations

from importlib import import_module

from sentinel.sync.kind import Kind

# "module:class", one line per kind; deletions run in the reverse order.
KIND_PATHS: list[str] = []
KIND_PATHS.append("sentinel.sync.topics:Topics")
KIND_PATHS.append("sentinel.sync.subscriptions:Subscriptions")
KIND_PATHS.append("sentinel.sync.event_rules:EventRules")
KIND_PATHS.append("sentinel.sync.anomaly_detectors:AnomalyDetectors")
KIND_PATHS.append("sentinel.sync.log_retention:LogRetention")
KIND_PATHS.append("sentinel.sync.metric_filters:MetricFilters")
KIND_PATHS.append("sentinel.sync.alarms:Alarms")
KIND_PATHS.append("sentinel.sync.composites:CompositeAlarms")
KIND_PATHS.append("sentinel.sync.dashboards:Dashboards")
KIND_PATHS.append("sentinel.sync.budgets:Budgets")
KIND_PATHS.append("sentinel.sync.burn_rate:BurnRateAlarms")
KIND_PATHS.append("sentinel.sync.router_queue:RouterQueueKind")
KIND_PATHS.append("sentinel.sync.health_checks:HealthChecks")
KIND_PATHS.append("sentinel.sync.canaries:Canaries")


def all_kinds() -> list[Kind]:
    kinds = []
    for path in KIND_PATHS:
        module, attribute = path.split(":")
        kinds.append(getattr(import_module(module), attribute)())
    return kinds
