"""``dashboards/*.yaml``: dashboards, their rows and widgets."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.checks_placement import check_placement
from sentinel.config.kinds.base import FileKind
from sentinel.config.models import Dashboard, DashboardsFile
from sentinel.config.models.dashboards import AlarmStatusWidget, MetricWidget


class DashboardsFileKind(FileKind[DashboardsFile]):
    name = "dashboards"
    model = DashboardsFile
    pattern = "dashboards/*.yaml"
    defines = ("dashboard",)

    def define(self, model: DashboardsFile, source: Source, build: Assembly) -> None:
        build.collect(
            model.dashboards,
            build.config.dashboards,
            "dashboard",
            "dashboard",
            source,
            "dashboards",
        )

    def check(self, model: DashboardsFile, source: Source, build: Assembly) -> None:
        check_placement(model, source, build)
        for d, dashboard in enumerate(model.dashboards):
            _check_dashboard(dashboard, source, build, d)


def _check_dashboard(dashboard: Dashboard, source: Source, build: Assembly, d: int) -> None:
    owner = f"dashboard {dashboard.name!r}"
    build.check_aws_name(dashboard.aws_name, owner, False, source, "dashboards", d)
    for r, row in enumerate(dashboard.rows):
        build.check_for_each(row.for_each, source, "dashboards", d, "rows", r)
        for w, widget in enumerate(row.widgets):
            loc = ("dashboards", d, "rows", r, "widgets", w)
            if isinstance(widget, AlarmStatusWidget):
                if widget.severity:
                    build.refs.require_severity(widget.severity, source.where(*loc, "severity"))
                for a, name in enumerate(widget.alarms):
                    build.refs.require("alarm", name, source.where(*loc, "alarms", a), "alarm")
            elif isinstance(widget, MetricWidget):
                build.check_for_each(widget.for_each, source, *loc)
                templated = widget.for_each is not None or row.for_each is not None
                for m, line in enumerate(widget.metrics):
                    build.check_template(
                        line.dimensions,
                        templated,
                        "widget or its row",
                        source,
                        *loc,
                        "metrics",
                        m,
                        "dimensions",
                    )
