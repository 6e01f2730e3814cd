"""The monthly CloudWatch bill of a plan: what its changes add to it, or take off it.

A metric alarm is billed per metric it evaluates (every metric of a metric-math expression, an
anomaly band's two bounds on top of its metric), at the high-resolution rate when its period is
under a minute; a composite alarm and a dashboard each at one price. Prices come from
``sentinel/data/prices_cloudwatch.yaml``, with their source and the day they were read.

The figures are the change's, not the account's: the plan holds only the resources it changes,
so the free tier's 10 alarm metrics, shared by every alarm in the account, are not subtracted.
Dashboards are counted whole (the plan knows how many the project has), and the account's 3 free
dashboards are counted against the project's own: the plan reads no other dashboard. SNS
deliveries of the alarms' notifications are billed by SNS, and left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sentinel.sync.model import Action, Change, Plan

PRICE_FILE = "prices_cloudwatch.yaml"
TIMES = "\N{MULTIPLICATION SIGN}"
ANOMALY_BAND = re.compile(r"\bANOMALY_DETECTION_BAND\s*\(", re.IGNORECASE)
METRICS_INSIGHTS = re.compile(r"^\s*SELECT\b", re.IGNORECASE)

# Kinds whose states are CloudWatch alarms (metric or composite, told apart by their fields),
# and the kind that is dashboards. Every other kind costs nothing on the CloudWatch bill.


@cache
def _kinds() -> tuple[frozenset[str], str]:
    """The billed kinds' names: (alarm kinds, the dashboard kind). Their modules are imported
    when a plan is priced, not when the CLI starts (they bring numpy in)."""
    from sentinel.sync import alarms, burn_rate, composites, dashboards

    return frozenset({alarms.KIND, composites.KIND, burn_rate.KIND}), dashboards.KIND


# Billed units, in the order lines are shown: name, singular label, plural label.
ITEMS = (
    ("standard_alarm_metric", "standard alarm metric", "standard alarm metrics"),
    (
        "high_resolution_alarm_metric",
        "high-resolution alarm metric",
        "high-resolution alarm metrics",
    ),
    ("composite_alarm", "composite alarm", "composite alarms"),
    ("dashboard", "dashboard", "dashboards"),
)


@dataclass(frozen=True)
class Prices:
    """One region's monthly prices, and where they come from."""

    region: str  # the region whose figures these are
    source: str
    read: str
    currency: str
    unit: Mapping[str, Decimal]
    free_dashboards: int
    free_alarm_metrics: int
    anomaly_band_metrics: int
    high_resolution_below: int


@cache
def _table() -> dict[str, Any]:
    text = resources.files("sentinel").joinpath("data", PRICE_FILE).read_text("utf-8")
    return dict(yaml.safe_load(text))


def prices_for(region: str) -> Prices:
    """The table's prices of ``region``, or of its default region when it has none."""
    table = _table()
    priced = region if region in table["regions"] else str(table["default_region"])
    rates = table["regions"][priced]
    return Prices(
        region=priced,
        source=str(table["source"]),
        read=str(table["read"]),
        currency=str(table["currency"]),
        unit={name: Decimal(str(rates[name])) for name, _, _ in ITEMS},
        free_dashboards=int(table["free_tier"]["dashboards"]),
        free_alarm_metrics=int(table["free_tier"]["standard_alarm_metrics"]),
        anomaly_band_metrics=int(table["anomaly_band_metrics"]),
        high_resolution_below=int(table["high_resolution_below"]),
    )


@dataclass(frozen=True)
class BillLine:
    """One priced item: how many the change adds and removes, and what that costs a month."""

    item: str
    added: int
    removed: int
    billed: int  # net units billed: added - removed, less what a free tier absorbs
    unit_price: Decimal

    @property
    def delta(self) -> Decimal:
        return self.billed * self.unit_price

    @property
    def label(self) -> str:
        singular, plural = next((s, p) for name, s, p in ITEMS if name == self.item)
        return singular if max(self.added, self.removed) == 1 else plural


@dataclass(frozen=True)
class Bill:
    prices: Prices
    lines: tuple[BillLine, ...]
    dashboards_before: int
    dashboards_after: int
    notes: tuple[str, ...] = field(default=())

    @property
    def delta(self) -> Decimal:
        return sum((line.delta for line in self.lines), Decimal(0))

    @property
    def changed(self) -> list[BillLine]:
        return [line for line in self.lines if line.added or line.removed]


def units(kind: str, fields: Mapping[str, Any], prices: Prices) -> dict[str, int]:
    """What one resource of ``kind`` with these (normalised) fields is billed for a month."""
    alarm_kinds, dashboard_kind = _kinds()
    if kind == dashboard_kind:
        return {"dashboard": 1}
    if kind not in alarm_kinds:
        return {}
    if "rule" in fields:
        return {"composite_alarm": 1}
    queries = fields.get("metrics")
    if queries:
        metrics = 0
        for query in queries.values():
            expression = str(query.get("expression") or "")
            if query.get("metric"):
                metrics += 1
            elif METRICS_INSIGHTS.match(expression):
                metrics += 1  # billed per metric the query analyses: unknown here, one at least
            metrics += len(ANOMALY_BAND.findall(expression)) * (prices.anomaly_band_metrics - 1)
        periods = [int(q.get("period") or 0) for q in queries.values()]
    else:
        metrics = 1
        periods = [int(fields.get("period") or 0)]
    high = any(0 < period < prices.high_resolution_below for period in periods)
    return {"high_resolution_alarm_metric" if high else "standard_alarm_metric": metrics}


def _change_units(change: Change, prices: Prices) -> dict[str, int]:
    """Units the change adds (positive) or removes (negative). Other actions cost nothing."""
    after: dict[str, int] = {}
    before: dict[str, int] = {}
    if change.action in (Action.CREATE, Action.UPDATE, Action.REPLACE) and change.desired:
        after = units(change.kind, change.desired.fields, prices)
    if change.action in (Action.DELETE, Action.UPDATE, Action.REPLACE) and change.actual:
        before = units(change.kind, change.actual.fields, prices)
    return {name: after.get(name, 0) - before.get(name, 0) for name in set(after) | set(before)}


def monthly_cost(plan: Plan, prices: Prices | None = None) -> Bill:
    """What applying ``plan`` adds to (or takes off) the monthly CloudWatch bill."""
    prices = prices or prices_for(plan.region)
    added = dict.fromkeys((name for name, _, _ in ITEMS), 0)
    removed = dict(added)
    insights = False
    for change in plan.changes:
        for name, count in _change_units(change, prices).items():
            if count > 0:
                added[name] += count
            else:
                removed[name] -= count
        for state in (change.desired, change.actual):
            queries = state.fields.get("metrics") if state else None
            if isinstance(queries, Mapping) and any(
                METRICS_INSIGHTS.match(str(q.get("expression") or "")) for q in queries.values()
            ):
                insights = True
    # A deleted dashboard exists: a plan made without its managed counts still adds up.
    before = max(plan.managed.get(_kinds()[1], 0), removed["dashboard"])
    after = before + added["dashboard"] - removed["dashboard"]
    free = prices.free_dashboards
    lines = []
    for name, _, _ in ITEMS:
        billed = added[name] - removed[name]
        if name == "dashboard":
            billed = max(0, after - free) - max(0, before - free)
        lines.append(BillLine(name, added[name], removed[name], billed, prices.unit[name]))
    notes = []
    if plan.region != prices.region:
        notes.append(f"priced at {prices.region}'s rates: the table has none for {plan.region}")
    if added["dashboard"] or removed["dashboard"]:
        notes.append(
            f"dashboards: {before} -> {after} in this project, the first {free} free "
            "(other dashboards in the account, not read, may already use them)"
        )
    if insights:
        notes.append(
            "a Metrics Insights alarm is billed per metric its query analyses; counted as one"
        )
    notes.append(
        f"the free tier's {prices.free_alarm_metrics} alarm metrics are shared by the "
        "account and not subtracted"
    )
    notes.append("SNS notifications are billed by SNS and not included")
    return Bill(prices, tuple(lines), before, after, tuple(notes))


def money(amount: Decimal, signed: bool = True) -> str:
    """``+$1.20``, ``-$0.30``, ``$0.00``."""
    cents = amount.quantize(Decimal("0.01"))
    if not signed or cents == 0:
        return f"${abs(cents)}"
    return f"{'+' if cents > 0 else '-'}${abs(cents)}"


def line_text(bill: Bill, line: BillLine) -> str:
    """``+12 standard alarm metrics`` times ``$0.10 = +$1.20``, with the multiplication sign."""
    counts = [f"+{line.added}"] if line.added else []
    counts += [f"-{line.removed}"] if line.removed else []
    price = money(line.unit_price, signed=False)
    free = ""
    if line.billed != line.added - line.removed:
        first = f"the first {bill.prices.free_dashboards} free"
        if line.billed > 0:
            free = f" ({line.billed} beyond {first})"
        elif line.billed < 0:
            free = f" ({-line.billed} fewer beyond {first})"
        else:
            free = f" (within {first})"
    return f"{' '.join(counts)} {line.label}{free} {TIMES} {price} = {money(line.delta)}"


def bill_json(bill: Bill) -> dict[str, Any]:
    prices = bill.prices
    return {
        "currency": prices.currency,
        "delta": float(bill.delta.quantize(Decimal("0.01"))),
        "lines": [
            {
                "item": line.item,
                "added": line.added,
                "removed": line.removed,
                "billed": line.billed,
                "unit_price": float(line.unit_price),
                "delta": float(line.delta.quantize(Decimal("0.01"))),
            }
            for line in bill.lines
        ],
        "dashboards": {
            "before": bill.dashboards_before,
            "after": bill.dashboards_after,
            "free": prices.free_dashboards,
        },
        "notes": list(bill.notes),
        "prices": {"region": prices.region, "source": prices.source, "read": prices.read},
    }
