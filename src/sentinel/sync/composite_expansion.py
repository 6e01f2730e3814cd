"""Aggregates of composite rules expanded over the instances a templated rule has at plan time.

``ALARM(any rds-cpu-high)`` becomes an OR of that rule's alarms, one per resource discovered
now; when resources come or go, the composite's rule changes with them (the plan shows it).
An aggregate with no instance (the template matches nothing), or a count above the number of
instances, has nothing CloudWatch can evaluate: that composite is not planned, and the plan
says so with a warning at the composite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sentinel.config.composite_aggregates import (
    Aggregate,
    find_aggregates,
    render,
    replace_aggregates,
)
from sentinel.sync.alarm_names import alarm_name_of
from sentinel.sync.model import PlanWarning
from sentinel.sync.templates import expand

if TYPE_CHECKING:
    from sentinel.config.models import AlarmRule, CompositeAlarm
    from sentinel.sync.context import SyncContext

# Stands for an aggregate while the rest of the rule's names are replaced: no rule name or
# state function can contain it.
_MARK = "\x00{}\x00"


@dataclass(frozen=True)
class Expansion:
    """The rule with its aggregates marked, and each aggregate's CloudWatch text."""

    marked: str
    texts: tuple[str, ...]

    def fill(self, rule: str) -> str:
        for n, text in enumerate(self.texts):
            rule = rule.replace(_MARK.format(n), text)
        return rule


def known_items(ctx: SyncContext) -> dict[str, AlarmRule | CompositeAlarm]:
    known: dict[str, AlarmRule | CompositeAlarm] = {r.name: r for r in ctx.config.alarms}
    known.update((c.name, c) for c in ctx.config.composites)
    return known


def instances(
    ctx: SyncContext, name: str, known: Mapping[str, AlarmRule | CompositeAlarm]
) -> list[str]:
    """The AWS names of a templated rule's alarms, one per resource it matches now."""
    item = known.get(name)
    if item is None or item.for_each is None:
        return []
    source = ctx.config.source("alarm", item.name)
    resources = expand(item.for_each, ctx.inventory, ctx.region)
    return [alarm_name_of(ctx.project, item, resource, source) for resource in resources]


def expansion(
    ctx: SyncContext, composite: CompositeAlarm, known: Mapping[str, AlarmRule | CompositeAlarm]
) -> Expansion | None:
    """The composite's aggregates over today's instances; None when one cannot be evaluated."""
    aggregates = find_aggregates(composite.rule)
    texts: list[str] = []
    for aggregate in aggregates:
        names = instances(ctx, aggregate.name, known)
        if _unreachable(aggregate, names) is not None:
            return None
        texts.append(render(aggregate, names))
    marked = replace_aggregates(composite.rule, [_MARK.format(n) for n in range(len(texts))])
    return Expansion(marked, tuple(texts))


def unplanned_composites(ctx: SyncContext) -> list[PlanWarning]:
    """A warning at each composite left out of the plan because an aggregate has no instance
    (or fewer than its count), or because its rule uses a composite left out."""
    return [
        PlanWarning(ctx.config.source("alarm", name), f"composite {name!r} is not planned: {why}")
        for name, why in left_out(ctx, known_items(ctx)).items()
    ]


def left_out(ctx: SyncContext, known: Mapping[str, AlarmRule | CompositeAlarm]) -> dict[str, str]:
    """Composite name -> why it is not planned, in dependency order. A composite using one left
    out is left out too (transitively): AWS refuses a rule naming an alarm that does not exist."""
    from sentinel.sync.composites import dependencies, in_dependency_order

    found: dict[str, str] = {}
    for composite in in_dependency_order(list(ctx.config.composites)):
        missing = sorted(dependencies(composite) & found.keys())
        if missing:
            found[composite.name] = f"it uses composite {missing[0]!r}, which is not planned"
            continue
        for aggregate in find_aggregates(composite.rule):
            why = _unreachable(aggregate, instances(ctx, aggregate.name, known))
            if why is not None:
                found[composite.name] = why
                break
    return found


def _unreachable(aggregate: Aggregate, names: list[str]) -> str | None:
    written = aggregate.text.strip()
    if not names:
        return (
            f"{written} has no alarm to aggregate: alarm rule {aggregate.name!r} matches "
            "no resource"
        )
    wanted = aggregate.at_least
    if wanted is not None and wanted > len(names):
        count = f"{len(names)} alarm{'s' if len(names) != 1 else ''}"
        return f"{written} can never be reached: alarm rule {aggregate.name!r} has {count}"
    return None
