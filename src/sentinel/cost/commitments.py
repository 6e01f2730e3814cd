"""Reservation and Savings Plans figures of the utilization and coverage budgets.

Each such budget of budgets/ gets its percentage over a span of days from Cost Explorer:
GetReservationUtilization and GetReservationCoverage (paged by ``NextPageToken``) filtered to
the budget's service, GetSavingsPlansUtilization (one page) and GetSavingsPlansCoverage (paged
by ``NextToken``). Percentages are worked out from the hours and dollars of every page, not read
from one page's ``Total``. Answers are kept in the cost cache: a span that ended a few days
before today is not asked again; a recent one after ``max_age``. Each request costs $0.01 and
is counted in the cache's statistics, as the report's other Cost Explorer requests are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.cost.cache import CostCache
from sentinel.cost.sources import CE_REGION, CostDataUnavailable, CostExplorerSource

# Commitment figures of days further back than this are settled: cached for good.
SETTLED_AFTER_DAYS = 3
LABELS = {
    "ri_utilization": "RI utilization",
    "ri_coverage": "RI coverage",
    "savings_plans_utilization": "Savings Plans utilization",
    "savings_plans_coverage": "Savings Plans coverage",
}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CommitmentStatus:
    """A utilization or coverage budget's percentage over ``start``..``end`` (inclusive)."""

    name: str
    type: str
    target: Decimal | None
    start: date
    end: date
    percent: Decimal | None
    alerts_below: list[Decimal] = field(default_factory=list)  # thresholds the figure is under
    previous: Decimal | None = None  # the span before (the weekly report's previous week)
    scope: str = ""  # the service of an RI budget
    note: str = ""  # why there is no figure

    @property
    def label(self) -> str:
        text = LABELS.get(self.type, self.type)
        return f"{text} ({self.scope})" if self.scope else text

    @property
    def state(self) -> str:
        """``below`` (an alert threshold is crossed), ``ok`` or ``unknown``."""
        if self.percent is None:
            return "unknown"
        return "below" if self.alerts_below else "ok"

    @property
    def change(self) -> Decimal | None:
        if self.percent is None or self.previous is None:
            return None
        return self.percent - self.previous


def points(value: Decimal) -> str:
    """``90.00`` -> ``90``, ``66.70`` -> ``66.7``: a percentage without trailing zeros."""
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def signed_points(value: Decimal) -> str:
    return ("+" if value >= 0 else "") + points(value)


def commitment_statuses(
    config: Any,
    cache: CostCache,
    factory: SessionFactory | None,
    start_of: Callable[[Any], date],
    end: date,
    today: date,
    previous: Callable[[Any], tuple[date, date]] | None = None,
) -> list[CommitmentStatus]:
    """Each utilization or coverage budget from ``start_of(budget)`` to ``end``.

    ``previous(budget)`` names a span to compare with (the week before, in the weekly report).
    """
    budgets = [b for b in config.budgets if b.is_commitment]
    if not budgets:
        return []
    reader = CommitmentReader(cache, factory) if factory is not None else None
    out = []
    for budget in budgets:
        start = start_of(budget)
        percent: Decimal | None = None
        before: Decimal | None = None
        note = ""
        if reader is None:
            note = "no AWS session"
        else:
            try:
                percent = reader.percent(budget, start, end, today)
                if previous is not None:
                    before = reader.percent(budget, *previous(budget), today)
            except CostDataUnavailable as exc:
                note = str(exc)
        if percent is None and not note:
            note = _nothing_measured(budget.type)
        thresholds = sorted({a.threshold.value for a in budget.alerts}, reverse=True)
        out.append(
            CommitmentStatus(
                name=budget.name,
                type=budget.type,
                target=budget.target if budget.target is not None else _first(thresholds),
                start=start,
                end=end,
                percent=percent,
                alerts_below=[t for t in thresholds if percent is not None and percent < t],
                previous=before,
                scope=", ".join(budget.filters.services),
                note=note,
            )
        )
    return out


def period_start(budget: Any, day: date) -> date:
    """The first day of the budget's period (month, quarter, year) holding ``day``."""
    if budget.period == "quarterly":
        return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)
    if budget.period == "annually":
        return day.replace(month=1, day=1)
    return day.replace(day=1)


class CommitmentReader:
    """The four Cost Explorer reads, through the cost cache."""

    def __init__(self, cache: CostCache, factory: SessionFactory) -> None:
        self.cache = cache
        self.factory = factory

    @property
    def client(self) -> Any:
        return self.factory.client("ce", region=CE_REGION)

    def percent(self, budget: Any, start: date, end: date, today: date) -> Decimal | None:
        """The budget's percentage from ``start`` to ``end`` inclusive; None: nothing to measure."""
        request: dict[str, Any] = {
            "TimePeriod": {
                "Start": start.isoformat(),
                "End": (end + timedelta(days=1)).isoformat(),
            },
            "Granularity": "MONTHLY",
        }
        filters = _filter(budget)
        if filters is not None:
            request["Filter"] = filters
        key = f"COMMITMENT|{budget.type}|{_text(filters)}|{start}|{end}"
        settled = end < today - timedelta(days=SETTLED_AFTER_DAYS)
        payload = self.cache.remembered(key, settled, lambda: self._fetch(budget.type, request))
        part, whole = Decimal(payload["part"]), Decimal(payload["whole"])
        return (HUNDRED * part / whole).quantize(Decimal("0.01")) if whole else None

    def _fetch(self, kind: str, request: dict[str, Any]) -> dict[str, str]:
        """The part and the whole of the percentage (hours or dollars)."""
        if kind == "ri_utilization":
            pages = self._pages("get_reservation_utilization", request, "NextPageToken")
            totals = [r["Total"] for p in pages for r in p.get("UtilizationsByTime", [])]
            part = sum((Decimal(t.get("TotalActualHours", "0")) for t in totals), Decimal(0))
            whole = sum((Decimal(t.get("PurchasedHours", "0")) for t in totals), Decimal(0))
        elif kind == "ri_coverage":
            pages = self._pages("get_reservation_coverage", request, "NextPageToken")
            hours = [
                r["Total"].get("CoverageHours", {})
                for p in pages
                for r in p.get("CoveragesByTime", [])
            ]
            part = sum((Decimal(h.get("ReservedHours", "0")) for h in hours), Decimal(0))
            whole = sum((Decimal(h.get("TotalRunningHours", "0")) for h in hours), Decimal(0))
        elif kind == "savings_plans_utilization":
            try:
                pages = self._pages("get_savings_plans_utilization", request, None)
            except CostDataUnavailable as exc:
                if exc.code == "DataUnavailableException":  # no Savings Plans in the span
                    return {"part": "0", "whole": "0"}
                raise
            used = [p.get("Total", {}).get("Utilization", {}) for p in pages]
            part = sum((Decimal(u.get("UsedCommitment", "0")) for u in used), Decimal(0))
            whole = sum((Decimal(u.get("TotalCommitment", "0")) for u in used), Decimal(0))
        else:
            pages = self._pages("get_savings_plans_coverage", request, "NextToken")
            cells = [
                c.get("Coverage", {}) for p in pages for c in p.get("SavingsPlansCoverages", [])
            ]
            part = sum(
                (Decimal(c.get("SpendCoveredBySavingsPlans", "0")) for c in cells), Decimal(0)
            )
            whole = sum((Decimal(c.get("TotalCost", "0")) for c in cells), Decimal(0))
        return {"part": str(part), "whole": str(whole)}

    def _pages(self, operation: str, request: dict[str, Any], token: str | None) -> list[Any]:
        call = getattr(self.client, operation)
        pages: list[Any] = []
        following: str | None = None
        while True:
            params = {**request, **({token: following} if token and following else {})}
            self.cache.stats.requests += 1
            page = CostExplorerSource._call(call, **params)
            pages.append(page)
            following = page.get(token) if token else None
            if not following:
                return pages


def _filter(budget: Any) -> dict[str, Any] | None:
    filters = budget.filters
    conditions = [
        {"Dimensions": {"Key": key, "Values": [str(v) for v in values]}}
        for key, values in (
            ("SERVICE", filters.services),
            ("LINKED_ACCOUNT", filters.accounts),
            ("REGION", filters.regions),
        )
        if values
    ]
    if not conditions:
        return None
    return conditions[0] if len(conditions) == 1 else {"And": conditions}


def _text(filters: dict[str, Any] | None) -> str:
    if filters is None:
        return ""
    conditions = filters.get("And", [filters])
    return ";".join(
        f"{c['Dimensions']['Key']}={','.join(c['Dimensions']['Values'])}" for c in conditions
    )


def _nothing_measured(kind: str) -> str:
    if kind.endswith("_coverage"):
        return "no usage a commitment could cover"
    return "no reservations" if kind.startswith("ri_") else "no Savings Plans"


def _first(values: list[Decimal]) -> Decimal | None:
    return values[0] if values else None
