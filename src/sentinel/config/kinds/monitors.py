"""``monitors/*.yaml``: SLOs, uptime checks, log groups' retention, the cost report, anomaly
detection, right-sizing and the SLO review."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.checks_cost_source import check_cost_source
from sentinel.config.checks_logs import check_log_groups
from sentinel.config.checks_placement import check_placement
from sentinel.config.checks_uptime import check_uptime
from sentinel.config.kinds.base import FileKind
from sentinel.config.models import MetricRef, MonitorsFile, Slo

# Settings that one monitors file of the whole configuration gives.
SINGLETONS = ("cost_report", "anomaly_detection", "rightsizing", "slo_review", "uptime_defaults")


class MonitorsFileKind(FileKind[MonitorsFile]):
    name = "monitors"
    model = MonitorsFile
    pattern = "monitors/*.yaml"
    defines = ("slo",)

    def define(self, model: MonitorsFile, source: Source, build: Assembly) -> None:
        build.collect(model.slos, build.config.slos, "slo", "SLO", source, "slos")
        if model.uptime is not None:
            # Without any `uptime:` key Route 53 and Synthetics are not read at all.
            if build.config.uptime is None:
                build.config.uptime = []
            build.collect(
                model.uptime, build.config.uptime, "uptime", "uptime check", source, "uptime"
            )
        build.collect(
            model.log_groups,
            build.config.log_groups,
            "log group",
            "log_groups entry",
            source,
            "log_groups",
        )
        for attribute in SINGLETONS:
            value = getattr(model, attribute)
            if value is not None:
                build.set_once(attribute, value, source.at_key(attribute))

    def check(self, model: MonitorsFile, source: Source, build: Assembly) -> None:
        check_placement(model, source, build)
        for s, slo in enumerate(model.slos):
            _check_slo(slo, source, build, s)
        for report in ("cost_report", "anomaly_detection", "rightsizing", "slo_review"):
            targets = getattr(model, report)
            if targets is not None and targets.severity:
                build.refs.require_severity(targets.severity, source.where(report, "severity"))
        check_uptime(model, source, build)
        check_log_groups(model, source, build)
        check_cost_source(model, source, build)


def _check_slo(slo: Slo, source: Source, build: Assembly, s: int) -> None:
    build.check_for_each(slo.for_each, source, "slos", s)
    for place, ref in slo_metrics(slo):
        build.check_template(
            ref.dimensions,
            slo.for_each is not None,
            "SLO",
            source,
            "slos",
            s,
            *place,
            "dimensions",
        )
    if slo.alerting is not None:
        for key in ("page", "ticket"):
            severity = getattr(slo.alerting, key)
            if severity:
                build.refs.require_severity(severity, source.where("slos", s, "alerting", key))


def slo_metrics(slo: Slo) -> list[tuple[tuple[str, ...], MetricRef]]:
    """The SLI's metrics with their place under the SLO: ``(("availability", "errors"), ref)``."""
    found: list[tuple[tuple[str, ...], MetricRef]] = []
    for sli_key, sli, roles in (
        ("availability", slo.availability, ("errors", "good", "total")),
        ("latency", slo.latency, ("metric", "total")),
    ):
        for role in roles:
            ref = getattr(sli, role, None) if sli is not None else None
            if ref is not None:
                found.append(((sli_key, role), ref))
    return found
