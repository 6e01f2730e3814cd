"""Checks of ``accounts:`` and ``regions:`` on alarm rules, composites, dashboards, budgets,
SLOs and tag rules: each names an account and a region of sentinel.yaml, and a composite is
made only where every alarm its rule names is made."""

from __future__ import annotations

from pydantic import BaseModel

from sentinel.config.assembly import Assembly, Loc, Source
from sentinel.config.composite_aggregates import named_items
from sentinel.config.models import AlarmRule, CompositeAlarm, Project
from sentinel.config.models.base import InAccounts, Placed
from sentinel.config.references import Where

ITEMS = ("alarms", "composites", "dashboards", "budgets", "slos")

Account = tuple[str | None, str | None]
"""An account as (id, name): (id, None) for one of ``organization:`` not listed, (None, None)
for a project of one account (the credentials')."""


def check_placement(model: BaseModel, source: Source, build: Assembly) -> None:
    if not build.valid_project:  # its accounts and regions are not known
        return
    for key in ITEMS:
        for index, item in enumerate(getattr(model, key, None) or []):
            _check(item, source, build, (key, index))
    tagging = getattr(model, "tagging", None)
    for index, rule in enumerate(tagging.required if tagging is not None else []):
        _check(rule, source, build, ("tagging", "required", index))
    composites = getattr(model, "composites", None) or []
    named: list[AlarmRule | CompositeAlarm] = [*build.config.alarms, *build.config.composites]
    items = {item.name: item for item in named} if composites else {}
    for index, composite in enumerate(composites):
        _check_composite(composite, items, source.where("composites", index, "rule"), build)


def _check_composite(
    composite: CompositeAlarm,
    items: dict[str, AlarmRule | CompositeAlarm],
    spot: Where,
    build: Assembly,
) -> None:
    """Each alarm (or composite) the rule names (``items``: every one by name) is made
    wherever the composite is."""
    project = build.config.project
    accounts = _accounts_of(composite, project)
    for name in named_items(composite.rule):
        item = items.get(name)
        if item is None or item is composite or not (item.accounts or item.regions):
            continue  # unknown names are reported elsewhere; an unplaced alarm is everywhere
        label = "composite" if isinstance(item, CompositeAlarm) else "alarm"
        if accounts is None and item.accounts:
            build.problem(
                spot,
                f"{label} {name!r} is made only in accounts {', '.join(item.accounts)} (its "
                f"`accounts:`), and composite {composite.name!r} in every account of "
                "`organization:`, which are found only at plan time: give the composite "
                f"`accounts:` among the {label}'s",
            )
            continue
        missing = [
            (account, region)
            for account in accounts or [(None, None)]
            for region in project.regions
            if composite.placed_in(*account, region) and not item.placed_in(*account, region)
        ]
        if missing:
            build.problem(
                spot,
                f"{label} {name!r} is not made in {_places(missing)}, where composite "
                f"{composite.name!r} is: narrow its `accounts:` and `regions:` to where the "
                f"{label} is ({_selectors(item)})",
            )


def _accounts_of(composite: CompositeAlarm, project: Project) -> list[Account] | None:
    """The accounts a composite may be made in; None: every account of ``organization:``,
    not known before plan. Of ``organization:``, the composite's own are compared."""
    listed: list[Account] = [(a.id, a.name) for a in project.accounts]
    if project.organization is None:
        return listed or [(None, None)]
    if not composite.accounts:
        return None
    by_key = {key: account for account in listed for key in account if key is not None}
    return [
        by_key.get(account, (account, None))
        for account in composite.accounts
        if account in by_key or _is_id(account)  # another is reported by _check
    ]


def _places(places: list[tuple[Account, str]]) -> str:
    """``account production (111111111111), regions us-east-1 and eu-west-1; ...``."""
    by_account: dict[Account, list[str]] = {}
    for account, region in places:
        by_account.setdefault(account, []).append(region)
    said = []
    for (account_id, name), regions in by_account.items():
        where = f"region{'s' * (len(regions) > 1)} {' and '.join(regions)}"
        if account_id is not None:
            where = f"account {f'{name} ({account_id})' if name else account_id}, {where}"
        said.append(where)
    return "; ".join(said)


def _selectors(item: Placed) -> str:
    said = [f"accounts: {', '.join(item.accounts)}"] * bool(item.accounts)
    said += [f"regions: {', '.join(item.regions)}"] * bool(item.regions)
    return "; ".join(said)


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
