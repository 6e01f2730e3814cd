"""``CurSource``: the cost source over an AWS Data Exports export (CUR 2.0 or FOCUS 1.0).

Answers the same queries as ``CostExplorerSource`` with the same group keys (Cost Explorer's
service names, '' for untagged), so the report, the anomaly scan, the untagged-spend and the
budget tables give the same figures from either. It has no forecast: the report projects the
month end itself. A day is ``estimated`` while its billing period is not final (no invoice in
CUR 2.0, the period not ended in FOCUS 1.0); a day the export holds nothing for yet is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sentinel import clock
from sentinel.aws.session import SessionFactory
from sentinel.cost.cur import duckdb_engine
from sentinel.cost.cur.athena_engine import AthenaEngine, AthenaTarget
from sentinel.cost.cur.files import (
    DownloadStats,
    ExportError,
    ExportFile,
    FileCache,
    list_export_files,
)
from sentinel.cost.cur.query import Engine, UnsupportedQuery, cost_sql
from sentinel.cost.cur.schema import SCHEMAS
from sentinel.cost.sources import CostDataUnavailable, CostQuery, CostRows, Forecast


@dataclass(frozen=True)
class CurSettings:
    bucket: str
    prefix: str
    format: str = "cur2"
    engine: Engine = "duckdb"
    cache_dir: Path = Path(".sentinel/cur")
    athena: AthenaTarget | None = None
    region: str | None = None  # the bucket's (and Athena's) region; the factory's when None
    list_page_size: int | None = None  # ListObjectsV2 MaxKeys (S3's default: 1000)
    results_page_size: int = 1000  # GetQueryResults MaxResults

    @property
    def location(self) -> str:
        return f"s3://{self.bucket}/{self.prefix.strip('/')}"


@dataclass
class CurStats:
    queries: int = 0
    files: DownloadStats = field(default_factory=DownloadStats)


class CurSource:
    max_group_by = 2
    has_forecast = False  # exports hold none: the report projects the month end itself

    def __init__(self, factory: SessionFactory, settings: CurSettings) -> None:
        if settings.format not in SCHEMAS:
            raise ExportError(f"unknown export format {settings.format!r}: cur2 or focus")
        self.factory = factory
        self.settings = settings
        self.schema = SCHEMAS[settings.format]
        self.stats = CurStats()
        self._connection: Any = None
        self._columns = duckdb_engine.ColumnCheck()
        self._athena: AthenaEngine | None = None

    @property
    def name(self) -> str:
        """The cache's scope: one export (its files answer for every account they hold)."""
        s = self.settings
        endpoint = f"@{self.factory.endpoint_url}" if self.factory.endpoint_url else ""
        return f"cur:{s.format}:{s.location}{endpoint}"

    @property
    def label(self) -> str:
        return f"the {self.schema.title} export"

    @property
    def title(self) -> str:
        return f"{self.schema.title} export {self.settings.location} ({self.settings.engine})"

    def costs(self, query: CostQuery) -> CostRows:
        today = clock.today()
        try:
            if self.settings.engine == "athena":
                records = self._athena_rows(query, today)
            else:
                records = self._duckdb_rows(query, today)
        except UnsupportedQuery as exc:
            raise CostDataUnavailable(f"{self.title}: {exc}", "Unsupported") from None
        self.stats.queries += 1
        return _answer(query, records)

    def forecast(self, start: date, end: date) -> Forecast:
        raise CostDataUnavailable("exports hold no forecast", "NoForecast")

    # --- engines ---------------------------------------------------------------------------

    def _duckdb_rows(self, query: CostQuery, today: date) -> list[dict[str, Any]]:
        s3 = self.factory.client("s3", region=self.settings.region)
        listed = list_export_files(
            s3,
            self.settings.bucket,
            self.settings.prefix,
            self.stats.files,
            self.settings.list_page_size,
        )
        wanted = _in_periods(listed, query.start, query.end)
        if not wanted:
            return []
        cache = FileCache(self.settings.cache_dir, self.settings.bucket)
        paths = [
            (f"s3://{self.settings.bucket}/{f.key}", cache.local(s3, f, self.stats.files))
            for f in wanted
        ]
        if self._connection is None:
            self._connection = duckdb_engine.connect()
        columns = self._columns.check(self._connection, self.schema, paths)
        sql = cost_sql(
            query, self.schema, duckdb_engine.scan([p for _, p in paths]), "duckdb", today, columns
        )
        return duckdb_engine.run(self._connection, sql)

    def _athena_rows(self, query: CostQuery, today: date) -> list[dict[str, Any]]:
        target = self.settings.athena
        if target is None:
            raise ExportError(f"{self.settings.location}: engine athena needs an athena: block")
        if self._athena is None:
            client = self.factory.client("athena", region=self.settings.region)
            self._athena = AthenaEngine(client, target, page_size=self.settings.results_page_size)
        sql = cost_sql(
            query,
            self.schema,
            target.relation,
            "athena",
            today,
            partition_column=target.partition_column,
        )
        return self._athena.run(sql)


def _in_periods(files: list[ExportFile], start: date, end: date) -> list[ExportFile]:
    """Files of the billing periods that overlap [start, end)."""
    first = start.replace(day=1)
    last = (end - timedelta(days=1)).replace(day=1)
    return [f for f in files if first <= f.period <= last]


def _answer(query: CostQuery, records: list[dict[str, Any]]) -> CostRows:
    """The rows, and the periods delivered: up to the last one with any cost in the export.

    AWS delivers a day's lines within about a day, so the days after the last one seen are
    not in the export yet: left out of ``periods`` (missing, never zero spend) and asked again.
    """
    answer = CostRows(query)
    width = len(query.grouping)
    not_final: set[date] = set()
    last_seen: date | None = None
    for record in records:
        period = date.fromisoformat(str(record["period"]))
        keys = tuple(str(record[k] or "") for k in ("k0", "k1")[:width])
        answer.rows.append((period, keys, Decimal(str(record["amount"]))))
        if not _truthy(record["final"]):
            not_final.add(period)
        last_seen = period if last_seen is None else max(last_seen, period)
    answer.periods = [p for p in _periods(query) if last_seen is not None and p <= last_seen]
    answer.estimated = {p for p in answer.periods if p in not_final}
    return answer


def _periods(query: CostQuery) -> list[date]:
    out, day = [], query.start
    while day < query.end:
        out.append(day)
        if query.granularity == "DAILY":
            day += timedelta(days=1)
        else:
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return out


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"
