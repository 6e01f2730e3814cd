"""``budgets/*.yaml``: budgets and their alerts, and the tagging rules."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.checks_budgets import check_budgets
from sentinel.config.configuration import Config
from sentinel.config.kinds.base import FileKind
from sentinel.config.models import BudgetsFile, Tagging
from sentinel.config.resource_tags import reserved_key_problem
from sentinel.config.unused import unheard_budget_alerts
from sentinel.errors import ConfigWarning


class BudgetsFileKind(FileKind[BudgetsFile]):
    name = "budgets"
    model = BudgetsFile
    pattern = "budgets/*.yaml"
    defines = ("budget",)

    def define(self, model: BudgetsFile, source: Source, build: Assembly) -> None:
        build.collect(model.budgets, build.config.budgets, "budget", "budget", source, "budgets")
        if model.tagging is not None:
            build.set_once("tagging", model.tagging, source.at_key("tagging"))

    def check(self, model: BudgetsFile, source: Source, build: Assembly) -> None:
        for b, budget in enumerate(model.budgets):
            owner = f"budget {budget.name!r}"
            build.check_aws_name(budget.aws_name, owner, False, source, "budgets", b)
            for n, name in enumerate(budget.notify):
                build.refs.require_subscriber(name, source.where("budgets", b, "notify", n))
            for a, alert in enumerate(budget.alerts):
                for n, name in enumerate(alert.notify):
                    build.refs.require_subscriber(
                        name, source.where("budgets", b, "alerts", a, "notify", n)
                    )
        check_budgets(model, source, build)
        if model.tagging is not None:
            _check_tagging(model.tagging, source, build)

    def warnings(self, model: BudgetsFile, source: Source, config: Config) -> list[ConfigWarning]:
        if config.routing is None:
            return []
        return unheard_budget_alerts(model, source.file, source.data, config.routing)


def _check_tagging(tagging: Tagging, source: Source, build: Assembly) -> None:
    seen: set[str] = set()
    for t, tag_rule in enumerate(tagging.required):
        spot = source.where("tagging", "required", t, "key")
        reserved = reserved_key_problem(tag_rule.key)
        if reserved and tag_rule.default is not None:
            build.problem(spot, f"tag rule with a default: {reserved}")
        if tag_rule.key in seen:
            build.problem(spot, f"duplicate tag rule for key {tag_rule.key!r}")
        seen.add(tag_rule.key)
        for r, resource in enumerate(tag_rule.resources):
            build.refs.require_resource_type(
                resource,
                source.where("tagging", "required", t, "resources", r),
                build.known_types,
            )
    for r, resource in enumerate(tagging.resources):
        build.refs.require_resource_type(
            resource, source.where("tagging", "resources", r), build.known_types
        )
