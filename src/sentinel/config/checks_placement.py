"""Checks of ``accounts:`` and ``regions:`` on alarm rules, dashboards, budgets, SLOs and tag
rules: each names an account and a region of sentinel.yaml."""

from __future__ import annotations

from pydantic import BaseModel

from sentinel.config.assembly import Assembly, Loc, Source
from sentinel.config.composite_aggregates import find_aggregates
from sentinel.config.models.base import InAccounts, Placed
from sentinel.config.references import RULE_REFERENCE, Where

ITEMS = ("alarms", "dashboards", "budgets", "slos")


def check_placement(model: BaseModel, source: Source, build: Assembly) -> None:
    if not build.valid_project:  # its accounts and regions are not known
        return
    for key in ITEMS:
        for index, item in enumerate(getattr(model, key, None) or []):
            _check(item, source, build, (key, index))
    tagging = getattr(model, "tagging", None)
    for index, rule in enumerate(tagging.required if tagging is not None else []):
        _check(rule, source, build, ("tagging", "required", index))
    for index, composite in enumerate(getattr(model, "composites", None) or []):
        _check_composite(composite.rule, source.where("composites", index, "rule"), build)


def _check_composite(rule: str, spot: Where, build: Assembly) -> None:
    """A composite is made in every account and region: each alarm it names must be too."""
    placed = {alarm.name: alarm for alarm in build.config.alarms if alarm.accounts or alarm.regions}
    aggregated = [aggregate.name for aggregate in find_aggregates(rule)]
    plain = [n.strip() for _, n in RULE_REFERENCE.findall(rule)]
    # ``ALARM(any x)`` reads as the name "any x" plainly: an aggregate names x.
    for name in dict.fromkeys([*aggregated, *(n for n in plain if " " not in n)]):
        if name in placed:
            build.problem(
                spot,
                f"alarm {name!r} is made only in some accounts or regions (its `accounts:` or "
                "`regions:`), and a composite in every one: where the alarm is not, the "
                "composite's rule would name an alarm that does not exist",
            )


def _check(item: object, source: Source, build: Assembly, loc: tuple[Loc, ...]) -> None:
    project = build.config.project
    if isinstance(item, InAccounts):
        known = {a.id for a in project.accounts} | {a.name for a in project.accounts}
        for index, account in enumerate(item.accounts):
            if account in known or (project.organization and _is_id(account)):
                continue
            listed = ", ".join(f"{a.name} ({a.id})" for a in project.accounts) or "none"
            hint = "; an account of `organization:` is named by its id" * bool(project.organization)
            build.problem(
                source.where(*loc, "accounts", index),
                f"account {account!r} is not one of sentinel.yaml's accounts ({listed}){hint}",
            )
    if isinstance(item, Placed):
        for index, region in enumerate(item.regions):
            if region not in project.regions:
                build.problem(
                    source.where(*loc, "regions", index),
                    f"region {region} is not one of sentinel.yaml's regions "
                    f"({', '.join(project.regions)})",
                )


def _is_id(account: str) -> bool:
    return len(account) == 12 and account.isdigit()
