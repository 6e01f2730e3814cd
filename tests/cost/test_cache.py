"""The cost cache: each day fetched once; estimated, restated and missing days fetched again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from moto.ce.responses import CostExplorerResponse
from moto.core.exceptions import JsonRESTError

from sentinel.aws.session import SessionFactory
from sentinel.config.loader import Config
from sentinel.cost.cache import WRITE_CHUNK, CostCache
from sentinel.cost.data import CostData
from sentinel.cost.groupings import (
    SERVICE,
    CostPlan,
    Dimension,
    SeriesKey,
    grouping_label,
    plan_for,
)
from sentinel.cost.sources import CostExplorerSource, CostQuery, ce_requests
from sentinel.emulator.cost_table import CostRecord, CostTable
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

from .bills import bill as make_bill
from .bills import expected_total


@pytest.fixture
def store(backend_store: Store) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    return backend_store


def load(cache: CostCache, config: Config, first: date, last: date, today: date) -> CostData:
    return cache.load(plan_for(config), first, last, today)


def test_plan_pairs_dimensions_and_keeps_required_keys_month_level(config: Config) -> None:
    plan = plan_for(config)
    assert plan.daily == (
        (SERVICE, Dimension.tag("Environment")),
        (Dimension.tag("Service"), Dimension.tag("CostCenter")),
    )
    assert plan.monthly == ((Dimension.tag("Owner"),),)


def test_second_load_the_same_day_makes_no_request(
    aws: SessionFactory, bill: CostTable, config: Config, store: Store, today: date
) -> None:
    cache = CostCache(store, CostExplorerSource(aws))
    first, last = today - timedelta(days=60), today - timedelta(days=1)
    data = load(cache, config, first, last, today)
    cold = ce_requests(aws)
    # Two daily groupings of 60 days at five days a page, and one month-level request.
    assert cold == 2 * 12 + 1
    assert not data.missing
    assert float(data.amount(first, last)) == pytest.approx(
        expected_total(bill, first, last), abs=1e-6
    )
    assert float(
        data.amount(last, last, SeriesKey(Dimension.tag("Environment"), "staging"))
    ) == pytest.approx(expected_total(bill, last, last, **{"tag:Environment": "staging"}), abs=1e-9)
    again = load(cache, config, first, last, today)
    assert ce_requests(aws) == cold
    assert again.amount(first, last) == data.amount(first, last)


def test_next_day_fetches_only_new_and_estimated_days(
    aws: SessionFactory, config: Config, store: Store, today: date
) -> None:
    load_cost_table(make_bill(today))
    cache = CostCache(store, CostExplorerSource(aws))
    load(cache, config, today - timedelta(days=60), today - timedelta(days=1), today)
    tomorrow = today + timedelta(days=1)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=1), tick=False):
        load_cost_table(make_bill(tomorrow))
        aws.counter.reset()
        data = load(cache, config, tomorrow - timedelta(days=60), today, tomorrow)
        # Per daily grouping: the new day and the days still estimated, one page; plus the
        # month-level request that also checks the open months.
        assert ce_requests(aws) == 3
        assert cache.stats.days_fetched == 60 * 2 + 2 * 3  # cold, then three days twice
        assert today in data.primary.days  # type: ignore[union-attr]
        assert data.estimated == {today - timedelta(days=1), today}


def test_a_restated_month_is_fetched_again(
    aws: SessionFactory, config: Config, store: Store, today: date
) -> None:
    table = make_bill(today)
    load_cost_table(table)
    cache = CostCache(store, CostExplorerSource(aws))
    first, last = today - timedelta(days=40), today - timedelta(days=1)
    load(cache, config, first, last, today)
    # A refund lands on a settled day of an open month: Cost Explorer's month total changes.
    refunded = last - timedelta(days=8)
    frame = table.frame.copy()
    frame.loc[frame["day"] == str(refunded), "cost"] *= 0.5
    load_cost_table(CostTable(frame))
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=13), tick=False):
        data = load(cache, config, first, last, today)
    assert float(data.amount(refunded, refunded)) == pytest.approx(
        float(frame.loc[frame["day"] == str(refunded), "cost"].sum()), abs=1e-6
    )


def test_failures_are_listed_as_missing_and_cached_days_kept(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache = CostCache(store, CostExplorerSource(aws))
    first, last = today - timedelta(days=20), today - timedelta(days=3)
    load(cache, config, first, last, today)

    def failing(self: CostExplorerResponse) -> str:
        raise JsonRESTError("AccessDeniedException", "no access")

    monkeypatch.setattr(CostExplorerResponse, "get_cost_and_usage", failing)
    data = load(cache, config, first, today - timedelta(days=1), today)
    assert data.missing_days(first, today - timedelta(days=1)) == [
        today - timedelta(days=2),
        today - timedelta(days=1),
    ]
    assert {m.what for m in data.missing} >= {
        "SERVICE|TAG:Environment",
        "TAG:Service|TAG:CostCenter",
    }
    assert all("AccessDeniedException" in m.reason for m in data.missing)
    assert float(data.amount(first, last)) == pytest.approx(
        expected_total(bill, first, last), abs=1e-6
    )


def test_an_answer_larger_than_one_bulk_write_is_kept_day_by_day_to_the_digit(
    aws: SessionFactory, store: Store, today: date
) -> None:
    first, days, services = today - timedelta(days=40), 25, 1000
    load_cost_table(
        CostTable.from_records(
            CostRecord(
                day=first + timedelta(days=d),
                service=f"Svc{s:04d}",
                usage_type="Usage",
                cost=round(0.01 + s * 1.37 + d / 7, 6),
                tags={"Environment": ("production", "staging")[s % 2]},
            )
            for d in range(days)
            for s in range(services)
        )
    )
    source = CostExplorerSource(aws)
    grouping = (SERVICE, Dimension.tag("Environment"))
    told = source.costs(CostQuery(grouping, first, first + timedelta(days=days)))
    assert len(told.rows) == days * services > WRITE_CHUNK
    plan = CostPlan(
        daily=(grouping,),
        monthly=(),
        tag_keys=("Environment",),
        required_tag_keys=(),
        accounts=False,
    )
    last = first + timedelta(days=days - 1)
    cached = CostCache(store, source).load(plan, first, last, today)
    # A second cache on the same store reads the days back without asking the source.
    again = CostCache(store, source)
    reread = again.load(plan, first, last, today)
    assert again.stats.requests == 0
    for data in (cached, reread):
        grouped = data.groupings[grouping_label(grouping)]
        assert grouped.days == {first + timedelta(days=d) for d in range(days)}
        kept = {
            (row.day, (row.k0, row.k1), row.amount) for row in grouped.frame.itertuples(index=False)
        }
        assert kept == set(told.rows)
        assert all(type(amount) is Decimal for _, _, amount in kept)
