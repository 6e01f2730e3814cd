"""Where cost data comes from: the ``CostSource`` seam and its Cost Explorer implementation.

A source answers daily or monthly costs grouped by up to ``max_group_by`` keys, optionally
filtered to one value of one dimension, and a month-end forecast. Cost Explorer is one source;
AWS Data Exports (CUR 2.0 or FOCUS 1.0 Parquet in S3, on DuckDB or Athena) is the other, for
large organisations: ``sentinel.cost.cur``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, Protocol

import botocore.exceptions
from botocore.config import Config as BotoConfig

from sentinel.aws.failures import (
    AWS_FAILURES,
    describe,
    is_access_denied,
    is_fatal,
    translate,
)
from sentinel.aws.session import COST_EXPLORER, SessionFactory
from sentinel.cost.groupings import Dimension, Grouping
from sentinel.errors import AwsError

Granularity = Literal["DAILY", "MONTHLY"]
# Cost Explorer is a global service answered from us-east-1.
CE_REGION = "us-east-1"
DEFAULT_METRIC = "UnblendedCost"
CE_SERVICE = COST_EXPLORER


class CostDataUnavailable(Exception):
    """The source could not answer (throttled past retries, failing, not enabled)."""

    def __init__(self, reason: str, code: str = "") -> None:
        super().__init__(reason)
        self.code = code


@dataclass(frozen=True)
class CostQuery:
    grouping: Grouping
    start: date
    end: date  # exclusive, as Cost Explorer's TimePeriod
    granularity: Granularity = "DAILY"
    where: tuple[Dimension, str] | None = None


@dataclass
class CostRows:
    """An answer: (period start, group values, amount) rows and the periods still estimated."""

    query: CostQuery
    rows: list[tuple[date, tuple[str, ...], Decimal]] = field(default_factory=list)
    periods: list[date] = field(default_factory=list)
    estimated: set[date] = field(default_factory=set)
    requests: int = 0


@dataclass(frozen=True)
class Forecast:
    """What the source forecasts from ``start`` to ``end`` (exclusive), in total and per day."""

    start: date
    end: date
    total: Decimal
    daily: dict[date, Decimal]


class CostSource(Protocol):
    max_group_by: int

    @property
    def name(self) -> str:
        """Scope of the cache: which account's data this source answers."""
        ...

    def costs(self, query: CostQuery) -> CostRows: ...

    def forecast(self, start: date, end: date) -> Forecast: ...


def source_label(source: object) -> str:
    """What a report names as the source of its figures: "Cost Explorer", "the CUR 2.0 export"."""
    return str(getattr(source, "label", CostExplorerSource.label))


def ce_requests(factory: SessionFactory) -> int:
    """Cost Explorer requests made through this factory so far (each costs $0.01)."""
    return factory.counter.total(CE_SERVICE)


class CostExplorerSource:
    """GetCostAndUsage with NextPageToken paging; GetCostForecast for the month end.

    Amounts stay ``Decimal`` as Cost Explorer wrote them. Throttling and server errors are
    retried by botocore's adaptive mode (the factory's client); what still fails is raised as
    ``CostDataUnavailable`` for the caller to report as missing data.
    """

    max_group_by = 2
    label = "Cost Explorer"  # where the report says its figures come from

    def __init__(self, factory: SessionFactory, metric: str = DEFAULT_METRIC) -> None:
        self.factory = factory
        self.metric = metric
        self._forecast_client: Any = None
        self._name: str | None = None

    @property
    def name(self) -> str:
        """The cache's scope: the account (and endpoint) the data comes from, so switching
        profiles or pointing at an emulator never mixes one account's days with another's."""
        if self._name is None:
            try:
                account = self.factory.caller_account()
            except AwsError:
                account = "unknown"
            endpoint = f"@{self.factory.endpoint_url}" if self.factory.endpoint_url else ""
            self._name = f"ce:{account}:{self.metric}{endpoint}"
        return self._name

    @property
    def client(self) -> Any:
        return self.factory.client("ce", region=CE_REGION)

    def costs(self, query: CostQuery) -> CostRows:
        params: dict[str, Any] = {
            "TimePeriod": {"Start": query.start.isoformat(), "End": query.end.isoformat()},
            "Granularity": query.granularity,
            "Metrics": [self.metric],
        }
        if query.grouping:
            params["GroupBy"] = [d.request() for d in query.grouping]
        if query.where is not None:
            dimension, value = query.where
            params["Filter"] = dimension.filter(value)
        answer = CostRows(query)
        token: str | None = None
        while True:
            page = self._call(
                self.client.get_cost_and_usage,
                **params,
                **({"NextPageToken": token} if token else {}),
            )
            answer.requests += 1
            for result in page.get("ResultsByTime", []):
                start = date.fromisoformat(result["TimePeriod"]["Start"])
                if start not in answer.periods:
                    answer.periods.append(start)
                if result.get("Estimated"):
                    answer.estimated.add(start)
                if query.grouping:
                    for group in result.get("Groups", []):
                        values = tuple(
                            d.value_from_key(k)
                            for d, k in zip(query.grouping, group["Keys"], strict=True)
                        )
                        amount = Decimal(group["Metrics"][self.metric]["Amount"])
                        answer.rows.append((start, values, amount))
                else:
                    total = result.get("Total", {}).get(self.metric)
                    if total is not None:
                        answer.rows.append((start, (), Decimal(total["Amount"])))
            token = page.get("NextPageToken")
            if not token:
                return answer

    def forecast(self, start: date, end: date) -> Forecast:
        response = self._call(
            self._forecast_api().get_cost_forecast,
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Metric="UNBLENDED_COST",
            Granularity="DAILY",
        )
        daily = {
            date.fromisoformat(r["TimePeriod"]["Start"]): Decimal(r["MeanValue"])
            for r in response.get("ForecastResultsByTime", [])
        }
        return Forecast(start, end, Decimal(response["Total"]["Amount"]), daily)

    def _forecast_api(self) -> Any:
        # The forecast is optional (Sentinel projects on its own when it fails), so it gets
        # two attempts rather than the factory's ten: a failing forecast must not stall a report.
        if self._forecast_client is None:
            kwargs: dict[str, Any] = {
                "region_name": CE_REGION,
                "config": self.factory.config.merge(
                    BotoConfig(retries={"mode": "adaptive", "max_attempts": 2})
                ),
            }
            if self.factory.endpoint_url:
                kwargs["endpoint_url"] = self.factory.endpoint_url
            self._forecast_client = self.factory.session().client("ce", **kwargs)
        return self._forecast_client

    @staticmethod
    def _call(operation: Any, **params: Any) -> dict[str, Any]:
        try:
            return operation(**params)
        except AWS_FAILURES as exc:
            # No credentials or no network: no other query of this run can succeed, so stop
            # and say why. A query refused (AccessDenied) or failing is missing data, named
            # in the report beside what the cache still holds.
            if is_fatal(exc) and not is_access_denied(exc):
                raise translate(exc) from exc
            if not isinstance(exc, botocore.exceptions.ClientError):
                name = type(exc).__name__
                raise CostDataUnavailable(f"{name}: {exc}", name) from None
            error = exc.response.get("Error", {})
            code = error.get("Code", "Error")
            if is_access_denied(exc):  # the reason names the IAM action to allow
                raise CostDataUnavailable(describe(exc), code) from None
            raise CostDataUnavailable(f"{code}: {error.get('Message', '')}".strip(), code) from None


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)
