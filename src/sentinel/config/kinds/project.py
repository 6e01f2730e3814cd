"""``sentinel.yaml``: the project, its defaults and tags, and Sentinel's own heartbeat alarms."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.checks_accounts import check_accounts
from sentinel.config.kinds.base import FileKind
from sentinel.config.models import Project
from sentinel.config.self_monitoring import heartbeat_rules


class ProjectFile(FileKind[Project]):
    name = "project"
    model = Project
    pattern = "sentinel.yaml"

    def define(self, model: Project, source: Source, build: Assembly) -> None:
        if model.self_monitoring is None:
            return
        # The heartbeat alarms are alarm rules like those of alarms/*.yaml.
        spot = source.at_key("self_monitoring")
        for rule in heartbeat_rules(model):
            build.define("alarm", rule.name, spot, "alarm")
            build.config.alarms.append(rule)

    def check(self, model: Project, source: Source, build: Assembly) -> None:
        build.check_tags(model.tags, "project tags", source)
        check_accounts(model, source, build)
        if model.self_monitoring is not None:
            build.refs.require_severity(
                model.self_monitoring.severity, source.where("self_monitoring", "severity")
            )
