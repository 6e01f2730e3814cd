"""The cost cache: each day is fetched once, and again only while it can still change.

A day of a grouping is fetched again when it is missing, when Cost Explorer still marked it
``Estimated`` (and the copy is older than ``max_age``), or when its month is the current or
the previous one and Cost Explorer's month total no longer matches the cached days (late
credits, refunds, restated usage). That check rides on the month-level request the report makes
anyway, so a steady-state daily report costs one request per daily grouping (a few days, one
page), one month-level request and one forecast.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    String,
    Table,
    and_,
    delete,
    insert,
    select,
)
from sqlalchemy.engine import Connection

from sentinel.cost.data import CostData, GroupedCosts, MissingData
from sentinel.cost.groupings import CostPlan, Grouping, grouping_label
from sentinel.cost.sources import (
    CostDataUnavailable,
    CostQuery,
    CostRows,
    CostSource,
    Forecast,
    previous_month,
)
from sentinel.store import once
from sentinel.store.database import METADATA, Store, utcnow

MAX_AGE = timedelta(hours=12)
# A month whose cached days differ from the source's month total by more is fetched again.
RESTATEMENT_TOLERANCE = Decimal("0.01")
# Two runs of stale days closer than this are fetched in one request (paging is cheaper).
MERGE_GAP_DAYS = 5
# Amounts handed to the driver in one executemany (all of an answer's in one transaction).
WRITE_CHUNK = 20_000

COST_DAYS = Table(
    "cost_days",
    METADATA,
    Column("source", String(200), primary_key=True),
    Column("grouping", String(200), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("estimated", Boolean, nullable=False),
    Column("fetched_at", DateTime, nullable=False),
)
COST_AMOUNTS = Table(
    "cost_amounts",
    METADATA,
    Column("source", String(200), primary_key=True),
    Column("grouping", String(200), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("k0", String(512), primary_key=True),
    Column("k1", String(512), primary_key=True),
    # Text keeps Cost Explorer's decimal exactly; SQLite's NUMERIC would make it a float.
    Column("amount", String(40), nullable=False),
)
# Whole answers (forecasts, breakdowns) are "once" records: paid for once, kept until they
# expire. Scope ``cost:<source>``, key the question.
ANSWER_SCOPE = "cost:{source}"
TABLES = (COST_DAYS, COST_AMOUNTS, once.ONCE)

# (day, first key, second key) -> amount of that day.
AmountsByKey = dict[tuple[date, str, str], Decimal]


@dataclass
class LoadStats:
    requests: int = 0
    days_fetched: int = 0


class CostCache:
    def __init__(self, store: Store, source: CostSource, max_age: timedelta = MAX_AGE) -> None:
        self.store = store
        self.source = source
        self.max_age = max_age
        self.stats = LoadStats()
        store.ensure(TABLES)

    # --- the report's and the scan's data ------------------------------------------------

    def load(self, plan: CostPlan, start: date, end: date, today: date) -> CostData:
        """Daily costs of every grouping of ``plan`` from ``start`` to ``end`` inclusive.

        ``today`` is the source's today (UTC): days from the month before it on may change.
        Failures do not raise: they are listed in ``CostData.missing``.
        """
        data = CostData(start=start, end=end, groupings={}, fetched_at=utcnow())
        open_from = previous_month(today)
        # Month totals from the previous month on (or of the report's month when it is older):
        # untagged spend of the month-level keys, and the restatement check of open months.
        month_from = open_from if end >= open_from else end.replace(day=1)
        for grouping in plan.monthly:
            rows = self._monthly(grouping, month_from, end, data)
            if rows is not None:
                data.monthly[grouping_label(grouping)] = rows
        first = grouping_label(plan.monthly[0]) if plan.monthly else None
        if end >= open_from and first in data.monthly and plan.daily:
            self._invalidate_restated(plan.daily, data.monthly[first], end)
        for grouping in plan.daily:
            data.groupings[grouping_label(grouping)] = self._daily(grouping, start, end, data)
        return data

    def breakdown(self, query: CostQuery) -> CostRows:
        """A one-off answer (an anomaly's drivers), cached whole; raises CostDataUnavailable.

        Kept even while its last days are estimated: drivers rank what rose, and a later
        adjustment of a few cents does not change the ranking, nor is it worth a request.
        """
        key = "|".join(
            [
                query.granularity,
                grouping_label(query.grouping),
                query.start.isoformat(),
                query.end.isoformat(),
                f"{query.where[0].label}={query.where[1]}" if query.where else "",
            ]
        )
        cached = self._answer(key)
        if cached is not None:
            return _rows_from_payload(query, cached[1])
        answer = self._fetch(query)
        self._save_answer(key, _payload_from_rows(answer))
        return answer

    def forecast(self, start: date, end: date, made_on: date) -> Forecast | str:
        """The source's forecast, once a day; the failure reason when it has none."""
        key = f"FORECAST|{start}|{end}|{made_on}"
        cached = self._answer(key)
        if cached is not None and utcnow() - cached[0] < self.max_age:
            payload = cached[1]
            if "error" in payload:
                return str(payload["error"])
            return Forecast(
                start,
                end,
                Decimal(payload["total"]),
                {date.fromisoformat(d): Decimal(v) for d, v in payload["daily"].items()},
            )
        try:
            # A source without a forecast (an export) answers at once, with no request.
            self.stats.requests += 1 if getattr(self.source, "has_forecast", True) else 0
            forecast = self.source.forecast(start, end)
        except CostDataUnavailable as exc:
            self._save_answer(key, {"error": str(exc)})
            return str(exc)
        self._save_answer(
            key,
            {
                "total": str(forecast.total),
                "daily": {d.isoformat(): str(v) for d, v in forecast.daily.items()},
            },
        )
        return forecast

    def remembered(
        self, key: str, settled: bool, fetch: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """A whole answer under ``key``: a ``settled`` one is kept for good, others for
        ``max_age``. ``fetch`` may raise CostDataUnavailable; a failure is not kept."""
        cached = self._answer(key)
        if cached is not None and (settled or utcnow() - cached[0] < self.max_age):
            return cached[1]
        payload = fetch()
        self._save_answer(key, payload)
        return payload

    # --- daily groupings --------------------------------------------------------------------

    def _daily(self, grouping: Grouping, start: date, end: date, data: CostData) -> GroupedCosts:
        label = grouping_label(grouping)
        fetched = self._fetched_days(label, start, end)
        stale = [
            day
            for day in _days(start, end)
            if day not in fetched or (fetched[day][0] and self._expired(fetched[day][1], True))
        ]
        for run_start, run_end in _runs(stale):
            query = CostQuery(grouping, run_start, run_end + timedelta(days=1))
            try:
                answer = self._fetch(query)
            except CostDataUnavailable as exc:
                data.missing.append(MissingData(label, run_start, run_end, str(exc)))
                continue
            self._save_days(label, answer)
            # A source may not hold the last days yet (an export is delivered a day late).
            delivered = set(answer.periods)
            undelivered = [d for d in _days(run_start, run_end) if d not in delivered]
            if undelivered:
                reason = "not in the source yet"
                data.missing.append(MissingData(label, undelivered[0], undelivered[-1], reason))
        frame, days, estimated = self._read_days(label, grouping, start, end)
        data.estimated |= estimated
        return GroupedCosts(grouping, frame, days)

    def _fetch(self, query: CostQuery) -> CostRows:
        try:
            answer = self.source.costs(query)
        except CostDataUnavailable:
            self.stats.requests += 1
            raise
        self.stats.requests += answer.requests
        return answer

    def _expired(self, fetched_at: datetime, estimated: Any) -> bool:
        return bool(estimated) and utcnow() - fetched_at >= self.max_age

    def _fetched_days(
        self, label: str, start: date, end: date
    ) -> dict[date, tuple[bool, datetime]]:
        with self.store.engine.connect() as db:
            rows = db.execute(
                select(COST_DAYS.c.day, COST_DAYS.c.estimated, COST_DAYS.c.fetched_at).where(
                    COST_DAYS.c.source == self.source.name,
                    COST_DAYS.c.grouping == label,
                    COST_DAYS.c.day.between(start, end),
                )
            ).all()
        return {r.day: (r.estimated, r.fetched_at) for r in rows}

    def _save_days(self, label: str, answer: CostRows) -> None:
        """Replace the answer's days in one transaction, the amounts written in bulk."""
        now = utcnow()
        query = answer.query
        days = sorted(set(answer.periods))
        amounts = _summed(answer.rows)
        with self.store.engine.begin() as db:
            scope = and_(
                COST_DAYS.c.source == self.source.name,
                COST_DAYS.c.grouping == label,
                COST_DAYS.c.day >= query.start,
                COST_DAYS.c.day < query.end,
            )
            db.execute(delete(COST_DAYS).where(scope))
            db.execute(
                delete(COST_AMOUNTS).where(
                    COST_AMOUNTS.c.source == self.source.name,
                    COST_AMOUNTS.c.grouping == label,
                    COST_AMOUNTS.c.day >= query.start,
                    COST_AMOUNTS.c.day < query.end,
                )
            )
            if days:
                db.execute(
                    insert(COST_DAYS),
                    [
                        {
                            "source": self.source.name,
                            "grouping": label,
                            "day": day,
                            "estimated": day in answer.estimated,
                            "fetched_at": now,
                        }
                        for day in days
                    ],
                )
            _insert_amounts(db, self.source.name, label, amounts)
        self.stats.days_fetched += len(days)

    def _read_days(
        self, label: str, grouping: Grouping, start: date, end: date
    ) -> tuple[pd.DataFrame, set[date], set[date]]:
        with self.store.engine.connect() as db:
            result = db.execute(
                select(
                    COST_AMOUNTS.c.day, COST_AMOUNTS.c.k0, COST_AMOUNTS.c.k1, COST_AMOUNTS.c.amount
                )
                .where(
                    COST_AMOUNTS.c.source == self.source.name,
                    COST_AMOUNTS.c.grouping == label,
                    COST_AMOUNTS.c.day.between(start, end),
                )
                .order_by(COST_AMOUNTS.c.day)
            )
            # The rows as the driver gives them (text columns need no conversion); each
            # distinct day is converted once below.
            rows = result.cursor.fetchall()
            result.close()
            as_date = _result_values(db, COST_AMOUNTS.c.day)
        fetched = self._fetched_days(label, start, end)
        day_of = {raw: as_date(raw) for raw in {row[0] for row in rows}}
        frame = pd.DataFrame(
            {
                "day": [day_of[row[0]] for row in rows],
                **{f"k{i}": [row[1 + i] for row in rows] for i in range(len(grouping))},
                "amount": pd.Series([Decimal(row[3]) for row in rows], dtype=object),
            }
        )
        estimated = {day for day, (flag, _) in fetched.items() if flag}
        return frame, set(fetched), estimated

    # --- month level: untagged spend of extra keys, and the restatement check ---------------

    def _monthly(
        self, grouping: Grouping, start: date, end: date, data: CostData
    ) -> list[tuple[date, tuple[str, ...], Decimal]] | None:
        query = CostQuery(grouping, start, end + timedelta(days=1), granularity="MONTHLY")
        key = f"MONTHLY|{grouping_label(grouping)}|{start}|{query.end}"
        cached = self._answer(key)
        if cached is not None and utcnow() - cached[0] < self.max_age:
            return _rows_from_payload(query, cached[1]).rows
        try:
            answer = self._fetch(query)
        except CostDataUnavailable as exc:
            data.missing.append(
                MissingData(f"month totals ({grouping_label(grouping)})", start, end, str(exc))
            )
            return None
        self._save_answer(key, _payload_from_rows(answer))
        return answer.rows

    def _invalidate_restated(
        self,
        daily: Iterable[Grouping],
        monthly: list[tuple[date, tuple[str, ...], Decimal]],
        end: date,
    ) -> None:
        """Forget the cached days of a month whose total Cost Explorer now states differently."""
        totals: dict[date, Decimal] = {}
        for period, _, amount in monthly:
            totals[period] = totals.get(period, Decimal(0)) + amount
        labels = [grouping_label(g) for g in daily]
        for period, source_total in totals.items():
            last = min(end, _month_end(period))
            fetched = self._fetched_days(labels[0], period, last)
            if len(fetched) < (last - period).days + 1:
                continue  # not all cached yet: the missing days are fetched anyway
            if (
                abs(self._cached_sum(labels[0], period, last) - source_total)
                <= RESTATEMENT_TOLERANCE
            ):
                continue
            with self.store.engine.begin() as db:
                for label in labels:
                    db.execute(
                        delete(COST_DAYS).where(
                            COST_DAYS.c.source == self.source.name,
                            COST_DAYS.c.grouping == label,
                            COST_DAYS.c.day.between(period, last),
                        )
                    )

    def _cached_sum(self, label: str, start: date, end: date) -> Decimal:
        with self.store.engine.connect() as db:
            amounts = db.execute(
                select(COST_AMOUNTS.c.amount).where(
                    COST_AMOUNTS.c.source == self.source.name,
                    COST_AMOUNTS.c.grouping == label,
                    COST_AMOUNTS.c.day.between(start, end),
                )
            ).scalars()
            return sum((Decimal(a) for a in amounts), Decimal(0))

    # --- whole answers ----------------------------------------------------------------------

    def _answer(self, key: str) -> tuple[datetime, dict[str, Any]] | None:
        with self.store.engine.connect() as db:
            record = once.get(db, self._answer_scope, key)
        if record is None or not record.done or record.done_at is None:
            return None
        return record.done_at, dict(record.detail or {})

    def _save_answer(self, key: str, payload: dict[str, Any]) -> None:
        with self.store.engine.begin() as db:
            once.replace_done(db, self._answer_scope, key, once.WHOLE, utcnow(), payload)

    @property
    def _answer_scope(self) -> str:
        return ANSWER_SCOPE.format(source=self.source.name)


def _summed(rows: Iterable[tuple[date, tuple[str, ...], Decimal]]) -> AmountsByKey:
    """Amounts per (day, first key, second key): an answer may list a group more than once."""
    amounts: AmountsByKey = {}
    for day, keys, amount in rows:
        key = (day, keys[0] if keys else "", keys[1] if len(keys) > 1 else "")
        before = amounts.get(key)
        amounts[key] = amount if before is None else before + amount
    return amounts


def _insert_amounts(db: Connection, source: str, label: str, amounts: AmountsByKey) -> None:
    """Insert the amounts in chunks of one executemany each, inside the caller's transaction.

    The values are given to the driver as it takes them (each distinct day and key converted
    once): building each row's parameters through SQLAlchemy costs more than the insert itself.
    """
    if not amounts:
        return
    statement = insert(COST_AMOUNTS).compile(dialect=db.dialect)
    names = [column.name for column in COST_AMOUNTS.columns]
    order = list(statement.positiontup or []) if statement.positional else []
    positions = [names.index(name) for name in order] if order != names else []
    bound = {
        name: _driver_values(db, COST_AMOUNTS.c[name], values)
        for name, values in (
            ("source", {source}),
            ("grouping", {label}),
            ("day", {day for day, _, _ in amounts}),
            ("k0", {k0 for _, k0, _ in amounts}),
            ("k1", {k1 for _, _, k1 in amounts}),
        )
    }
    as_text = _bind_processor(db, COST_AMOUNTS.c.amount)
    fixed = (bound["source"][source], bound["grouping"][label])
    day, k0, k1 = bound["day"], bound["k0"], bound["k1"]
    rows = (
        (*fixed, day[d], k0[a], k1[b], as_text(str(amount)) if as_text else str(amount))
        for (d, a, b), amount in amounts.items()
    )
    while chunk := list(islice(rows, WRITE_CHUNK)):
        if positions:
            db.exec_driver_sql(statement.string, [tuple(r[i] for i in positions) for r in chunk])
        elif order:
            db.exec_driver_sql(statement.string, chunk)
        else:
            db.exec_driver_sql(statement.string, [dict(zip(names, r, strict=True)) for r in chunk])


def _bind_processor(db: Connection, column: Column[Any]) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(db.dialect).bind_processor(db.dialect)


def _driver_values(db: Connection, column: Column[Any], values: Iterable[Any]) -> dict[Any, Any]:
    """Each value as the driver takes it for ``column``."""
    process = _bind_processor(db, column)
    return {value: process(value) if process else value for value in values}


def _result_values(db: Connection, column: Column[Any]) -> Callable[[Any], Any]:
    """The column's Python value from the value the driver gives."""
    process = column.type.dialect_impl(db.dialect).result_processor(db.dialect, None)
    return process or (lambda value: value)


def _payload_from_rows(answer: CostRows) -> dict[str, Any]:
    return {
        "rows": [[d.isoformat(), list(keys), str(amount)] for d, keys, amount in answer.rows],
        "periods": [d.isoformat() for d in answer.periods],
        "estimated": sorted(d.isoformat() for d in answer.estimated),
    }


def _rows_from_payload(query: CostQuery, payload: dict[str, Any]) -> CostRows:
    return CostRows(
        query,
        rows=[(date.fromisoformat(d), tuple(k), Decimal(a)) for d, k, a in payload["rows"]],
        periods=[date.fromisoformat(d) for d in payload["periods"]],
        estimated={date.fromisoformat(d) for d in payload["estimated"]},
    )


def _days(start: date, end: date) -> Iterator[date]:
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive runs of days, merging runs separated by a short gap."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and (day - runs[-1][1]).days <= MERGE_GAP_DAYS:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _month_end(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
