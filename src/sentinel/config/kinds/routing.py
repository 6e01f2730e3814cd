"""``alarms/routing.yaml``: the severities, their topics and routes, and maintenance windows."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.checks_delivery_hours import check_delivery_hours
from sentinel.config.checks_router_account import check_router_account
from sentinel.config.configuration import Config
from sentinel.config.kinds.base import FileKind
from sentinel.config.models import Routing
from sentinel.config.models.log_groups import is_pattern
from sentinel.config.models.routing import schedule_problem
from sentinel.config.references import Where
from sentinel.config.unused import unused_routing
from sentinel.errors import ConfigWarning


class RoutingFile(FileKind[Routing]):
    name = "routing"
    model = Routing
    pattern = "alarms/routing.yaml"
    defines = ("severity",)

    def define(self, model: Routing, source: Source, build: Assembly) -> None:
        if build.config.routing is not None:
            build.problem(
                source.where(),
                "a second routing file: severities are defined once, in alarms/routing.yaml",
            )
            return
        build.config.routing = model
        for name in model.severities:
            build.refs.define(
                "severity",
                name,
                Where(source.file, source.data.key_positions["severities"]),
                "severity",
            )
            build.config.positions[("severity", name)] = source.at_key("severities", name)

    def check(self, model: Routing, source: Source, build: Assembly) -> None:
        for severity_name, tier in model.severities.items():
            build.check_aws_name(
                tier.aws_name,
                f"severity {severity_name!r}",
                False,
                source,
                "severities",
                severity_name,
            )
        check_delivery_hours(model, source, build)
        check_router_account(model, source, build)
        zone = build.config.project.timezone
        for w, window in enumerate(model.maintenance):
            # A window with a timezone of its own was checked by its model; one on the
            # project's clock can be checked only now that the project's zone is known.
            if window.recurring and window.timezone is None:
                problem = schedule_problem(window, zone)
                if problem:
                    key = "every" if window.every is not None else "rrule"
                    build.problem(source.where("maintenance", w, key), problem)
            notice = window.notice
            if notice is not None and notice.severity is not None:
                where = source.where("maintenance", w, "notice", "severity")
                named = model.severities.get(notice.severity)
                if named is None:
                    build.refs.require("severity", notice.severity, where, "severity")
                elif not any(d.slack for d in named.notify):
                    build.problem(
                        where,
                        f"severity {notice.severity!r} has no Slack destination to post the "
                        "notice to: name a channel with `slack:`",
                    )
            for a, pattern in enumerate(window.alarms):
                if not is_pattern(pattern) and pattern not in build.refs.defined("alarm"):
                    build.refs.require(
                        "alarm", pattern, source.where("maintenance", w, "alarms", a), "alarm"
                    )

    def warnings(self, model: Routing, source: Source, config: Config) -> list[ConfigWarning]:
        return unused_routing(model, source.file, source.data, config.anomaly_detection)
