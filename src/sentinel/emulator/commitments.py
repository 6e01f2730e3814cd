"""Reservations and Savings Plans of the emulated account, and the four Cost Explorer reads of them.

moto has no GetReservationUtilization, GetReservationCoverage, GetSavingsPlansUtilization or
GetSavingsPlansCoverage. Here an account holds daily records of its reserved hours (per service:
hours purchased, hours used, hours its instances ran) and of its Savings Plans (the day's
commitment, the part used, the spend left on demand), and each read is a pure function of the
records and the request, with the API's shapes: periods End exclusive, DAILY or MONTHLY buckets,
a ``Total`` over the whole period, Filter on SERVICE, LINKED_ACCOUNT and REGION, and paging by
``NextPageToken`` (reservations) or ``NextToken`` (Savings Plans coverage) with ``MaxResults``.
GetReservationCoverage without a SERVICE filter answers for Amazon EC2, as Cost Explorer does.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sentinel.emulator.cost_errors import CostExplorerError
from sentinel.emulator.cost_explorer import time_periods
from sentinel.emulator.cost_table import DEFAULT_ACCOUNT_ID

EC2 = "Amazon Elastic Compute Cloud - Compute"
DEFAULT_PAGE_SIZE = 20
GRANULARITIES = ("DAILY", "MONTHLY")
# The dimensions these reads filter on, and the record attribute each selects.
FILTER_DIMENSIONS = {"SERVICE": "service", "LINKED_ACCOUNT": "linked_account", "REGION": "region"}


@dataclass(frozen=True)
class ReservationDay:
    """One service's reserved instance hours on one day."""

    day: date
    service: str
    purchased_hours: float
    used_hours: float
    running_hours: float  # every hour the service's instances ran, reserved or on demand
    region: str = "us-east-1"
    linked_account: str = DEFAULT_ACCOUNT_ID


@dataclass(frozen=True)
class SavingsPlanDay:
    """The account's Savings Plans on one day, in dollars."""

    day: date
    commitment: float
    used: float  # of the commitment, equal to the on-demand spend it covered
    on_demand: float  # eligible spend not covered
    region: str = "us-east-1"
    linked_account: str = DEFAULT_ACCOUNT_ID
    service: str = "AWS Fargate"


@dataclass
class Commitments:
    reservations: list[ReservationDay] = field(default_factory=list)
    savings_plans: list[SavingsPlanDay] = field(default_factory=list)


def demo_commitments(today: date, days: int = 120) -> Commitments:
    """Reserved RDS and ElastiCache capacity and a Compute Savings Plan, for the demo account.

    Two of three RDS instances are reserved and mostly used; the one ElastiCache node is
    reserved; the Savings Plan covers two thirds of Fargate. Figures vary a little by day.
    """
    out = Commitments()
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        wobble = ((day.toordinal() * 7919) % 13) / 13  # 0..1, the same on every seeding
        out.reservations.append(
            ReservationDay(day, "Amazon Relational Database Service", 48, 44 + 4 * wobble, 72)
        )
        out.reservations.append(ReservationDay(day, "Amazon ElastiCache", 24, 24, 24))
        used = round(9 + wobble, 2)
        out.savings_plans.append(SavingsPlanDay(day, 10.0, used, round(4.5 + wobble, 2)))
    return out


# --- the four reads ---------------------------------------------------------------------------


def get_reservation_utilization(data: Commitments, request: Mapping[str, Any]) -> dict[str, Any]:
    if request.get("GroupBy"):
        raise CostExplorerError.validation("GroupBy is not emulated for reservation utilization")
    records = _selected(data.reservations, request, default_service=None)
    buckets = _buckets(request)

    def figures(rows: list[ReservationDay]) -> dict[str, str]:
        purchased = sum(r.purchased_hours for r in rows)
        used = sum(r.used_hours for r in rows)
        return {
            "UtilizationPercentage": _percent(used, purchased),
            "PurchasedHours": _number(purchased),
            "TotalActualHours": _number(used),
            "UnusedHours": _number(purchased - used),
        }

    results = [
        {"TimePeriod": _period(a, b), "Total": figures(_within(records, a, b)), "Groups": []}
        for a, b in buckets
    ]
    page, token = _page(results, request, "NextPageToken")
    answer: dict[str, Any] = {"UtilizationsByTime": page, "Total": figures(records)}
    if token:
        answer["NextPageToken"] = token
    return answer


def get_reservation_coverage(data: Commitments, request: Mapping[str, Any]) -> dict[str, Any]:
    if request.get("GroupBy"):
        raise CostExplorerError.validation("GroupBy is not emulated for reservation coverage")
    records = _selected(data.reservations, request, default_service=EC2)
    buckets = _buckets(request)

    def figures(rows: list[ReservationDay]) -> dict[str, Any]:
        reserved = sum(r.used_hours for r in rows)
        running = sum(r.running_hours for r in rows)
        return {
            "CoverageHours": {
                "OnDemandHours": _number(running - reserved),
                "ReservedHours": _number(reserved),
                "TotalRunningHours": _number(running),
                "CoverageHoursPercentage": _percent(reserved, running),
            }
        }

    results = [
        {"TimePeriod": _period(a, b), "Total": figures(_within(records, a, b)), "Groups": []}
        for a, b in buckets
    ]
    page, token = _page(results, request, "NextPageToken")
    answer: dict[str, Any] = {"CoveragesByTime": page, "Total": figures(records)}
    if token:
        answer["NextPageToken"] = token
    return answer


def get_savings_plans_utilization(data: Commitments, request: Mapping[str, Any]) -> dict[str, Any]:
    records = _selected(data.savings_plans, request, default_service=None)
    if not records:
        raise CostExplorerError("DataUnavailableException", "No Savings Plans in the period")

    def figures(rows: list[SavingsPlanDay]) -> dict[str, Any]:
        commitment = sum(r.commitment for r in rows)
        used = sum(r.used for r in rows)
        return {
            "Utilization": {
                "TotalCommitment": _number(commitment),
                "UsedCommitment": _number(used),
                "UnusedCommitment": _number(commitment - used),
                "UtilizationPercentage": _percent(used, commitment),
            }
        }

    return {
        "SavingsPlansUtilizationsByTime": [
            {"TimePeriod": _period(a, b), **figures(_within(records, a, b))}
            for a, b in _buckets(request)
        ],
        "Total": figures(records),
    }


def get_savings_plans_coverage(data: Commitments, request: Mapping[str, Any]) -> dict[str, Any]:
    if request.get("GroupBy"):
        raise CostExplorerError.validation("GroupBy is not emulated for Savings Plans coverage")
    records = _selected(data.savings_plans, request, default_service=None)
    results = []
    for a, b in _buckets(request):
        rows = _within(records, a, b)
        covered = sum(r.used for r in rows)
        total = covered + sum(r.on_demand for r in rows)
        results.append(
            {
                "Attributes": {},
                "TimePeriod": _period(a, b),
                "Coverage": {
                    "SpendCoveredBySavingsPlans": _number(covered),
                    "OnDemandCost": _number(total - covered),
                    "TotalCost": _number(total),
                    "CoveragePercentage": _percent(covered, total),
                },
            }
        )
    page, token = _page(results, request, "NextToken")
    answer: dict[str, Any] = {"SavingsPlansCoverages": page}
    if token:
        answer["NextToken"] = token
    return answer


READS: dict[str, Callable[[Commitments, Mapping[str, Any]], dict[str, Any]]] = {
    "get_reservation_utilization": get_reservation_utilization,
    "get_reservation_coverage": get_reservation_coverage,
    "get_savings_plans_utilization": get_savings_plans_utilization,
    "get_savings_plans_coverage": get_savings_plans_coverage,
}


def budget_figure(data: Commitments, budget: Mapping[str, Any], start: date, end: date) -> float:
    """A utilization or coverage budget's percentage from ``start`` to ``end`` (exclusive)."""
    kind = str(budget.get("BudgetType"))
    services = (budget.get("CostFilters") or {}).get("Service") or []
    period = {"TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()}}
    request: dict[str, Any] = dict(period)
    if services:
        request["Filter"] = {"Dimensions": {"Key": "SERVICE", "Values": list(services)}}
    try:
        if kind == "RI_UTILIZATION":
            value = get_reservation_utilization(data, request)["Total"]["UtilizationPercentage"]
        elif kind == "RI_COVERAGE":
            total = get_reservation_coverage(data, request)["Total"]
            value = total["CoverageHours"]["CoverageHoursPercentage"]
        elif kind == "SAVINGS_PLANS_UTILIZATION":
            value = get_savings_plans_utilization(data, period)["Total"]["Utilization"][
                "UtilizationPercentage"
            ]
        else:
            coverages = get_savings_plans_coverage(data, {**period, "MaxResults": 1000})
            covered = sum(
                float(c["Coverage"]["SpendCoveredBySavingsPlans"])
                for c in coverages["SavingsPlansCoverages"]
            )
            total = sum(
                float(c["Coverage"]["TotalCost"]) for c in coverages["SavingsPlansCoverages"]
            )
            value = _percent(covered, total)
    except CostExplorerError:
        return 0.0
    return float(value)


# --- helpers ----------------------------------------------------------------------------------


def _time_period(request: Mapping[str, Any]) -> tuple[date, date]:
    period = request.get("TimePeriod") or {}
    try:
        start = date.fromisoformat(str(period["Start"]))
        end = date.fromisoformat(str(period["End"]))
    except (KeyError, ValueError) as exc:
        raise CostExplorerError.validation("TimePeriod needs Start and End as YYYY-MM-DD") from exc
    if end <= start:
        raise CostExplorerError.validation(
            "Start date (and hour) should be before end date (and hour)"
        )
    return start, end


def _buckets(request: Mapping[str, Any]) -> list[tuple[date, date]]:
    start, end = _time_period(request)
    granularity = request.get("Granularity") or "MONTHLY"
    if granularity not in GRANULARITIES:
        raise CostExplorerError.validation("Granularity must be DAILY or MONTHLY")
    return time_periods(start, end, granularity)


def _selected(
    records: Iterable[Any], request: Mapping[str, Any], default_service: str | None
) -> list[Any]:
    start, end = _time_period(request)
    wanted = _filter_values(request.get("Filter"))
    if default_service is not None and "service" not in wanted:
        wanted["service"] = {default_service}
    return [
        r
        for r in records
        if start <= r.day < end
        and all(getattr(r, attribute) in values for attribute, values in wanted.items())
    ]


def _filter_values(expression: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """A Dimensions condition, or an And of them, as record attribute -> allowed values."""
    if not expression:
        return {}
    conditions = expression.get("And") if "And" in expression else [expression]
    wanted: dict[str, set[str]] = {}
    for condition in conditions or []:
        dimensions = condition.get("Dimensions") if isinstance(condition, Mapping) else None
        if not isinstance(dimensions, Mapping) or len(condition) != 1:
            raise CostExplorerError.validation(
                "Only Dimensions conditions (and an And of them) are emulated in this filter"
            )
        key = str(dimensions.get("Key"))
        if key not in FILTER_DIMENSIONS:
            raise CostExplorerError.validation(
                f"Dimension {key} is not allowed. Allowed dimension(s): "
                + ", ".join(FILTER_DIMENSIONS)
            )
        wanted[FILTER_DIMENSIONS[key]] = {str(v) for v in dimensions.get("Values") or []}
    return wanted


def _within(records: list[Any], start: date, end: date) -> list[Any]:
    return [r for r in records if start <= r.day < end]


def _page(
    items: list[Any], request: Mapping[str, Any], token_name: str
) -> tuple[list[Any], str | None]:
    size = int(request.get("MaxResults") or DEFAULT_PAGE_SIZE)
    token = request.get(token_name)
    offset = 0
    if token:
        try:
            offset = int(json.loads(base64.urlsafe_b64decode(str(token).encode()))["o"])
        except (ValueError, KeyError, TypeError) as exc:
            raise CostExplorerError(
                "InvalidNextTokenException", f"The {token_name} is invalid"
            ) from exc
    following = offset + size
    page = items[offset:following]
    if following >= len(items):
        return page, None
    return page, base64.urlsafe_b64encode(json.dumps({"o": following}).encode()).decode()


def _period(start: date, end: date) -> dict[str, str]:
    return {"Start": start.isoformat(), "End": end.isoformat()}


def _number(value: float) -> str:
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _percent(part: float, whole: float) -> str:
    return _number(round(100 * part / whole, 2)) if whole else "0"
