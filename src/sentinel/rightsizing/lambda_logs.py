"""What each Lambda function's invocations used, from the REPORT lines of its log group.

Every invocation ends with a platform line ``REPORT RequestId: ... Duration: 12.34 ms Billed
Duration: 13 ms Memory Size: 1024 MB Max Memory Used: 180 MB``; Logs Insights discovers its
figures as ``@maxMemoryUsed``, ``@memorySize`` (bytes, MB x 1,000,000) and ``@billedDuration``
(ms). One StartQuery covers up to 50 log groups (``stats ... by @log``); its results are polled
with bounded waits, and a query that does not finish in time is stopped, its functions left
without data rather than waited on.

The log groups are listed first (DescribeLogGroups, by the ``/aws/lambda/`` prefix, and by
identifier for functions logging elsewhere): a query naming a group that does not exist fails
whole, and a group's retention or creation shortens the days its lines cover.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import botocore.exceptions

from sentinel.inventory import Resource

DEFAULT_PREFIX = "/aws/lambda/"
MAX_GROUPS_A_QUERY = 50  # StartQuery's documented maximum of log groups
MAX_IDENTIFIERS = 50  # DescribeLogGroups' logGroupIdentifiers maximum
LOG_GROUPS_PAGE = 50  # DescribeLogGroups' limit maximum
MB = 1_000_000
DAY_MS = 86_400_000
QUERY_TIMEOUT = 120.0  # seconds a query may take before it is stopped
FIRST_WAIT, LONGEST_WAIT = 1.0, 8.0
RUNNING = ("Scheduled", "Running")
SOURCE = "Logs Insights (REPORT lines)"


def query_string(percentile: float) -> str:
    return (
        'filter @type = "REPORT"\n'
        "| stats count(*) as invocations, max(@maxMemoryUsed) as max_used, "
        f"pct(@maxMemoryUsed, {percentile:g}) as high_used, max(@memorySize) as memory_size, "
        "sum(@billedDuration) as billed_ms by @log"
    )


@dataclass(frozen=True)
class MemoryUse:
    """One function's REPORT lines over the hours its log group covers."""

    invocations: int
    max_used_mb: float
    high_used_mb: float
    memory_mb: float | None
    billed_seconds: float
    hours: float


@dataclass
class LogsReading:
    uses: dict[str, MemoryUse] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    queries: int = 0


@dataclass(frozen=True)
class _Group:
    name: str
    created_ms: int | None
    retention_days: int | None


def log_group_of(function: Resource) -> str:
    """The function's log group: its logging configuration's, else ``/aws/lambda/<name>``."""
    return str(function.attributes.get("log_group") or f"{DEFAULT_PREFIX}{function.id}")


def _pages(logs: Any, page_size: int | None, **params: Any) -> Iterator[dict[str, Any]]:
    paginator = logs.get_paginator("describe_log_groups")
    size = min(page_size or LOG_GROUPS_PAGE, LOG_GROUPS_PAGE)
    for page in paginator.paginate(**params, PaginationConfig={"PageSize": size}):
        yield from page.get("logGroups", [])


def existing_groups(
    logs: Any, names: Sequence[str], page_size: int | None = None
) -> dict[str, _Group]:
    """The groups of ``names`` that exist, with their creation time and retention."""
    found: dict[str, _Group] = {}
    wanted = set(names)

    def keep(item: dict[str, Any]) -> None:
        if item["logGroupName"] in wanted:
            found[item["logGroupName"]] = _Group(
                item["logGroupName"], item.get("creationTime"), item.get("retentionInDays")
            )

    if any(n.startswith(DEFAULT_PREFIX) for n in wanted):
        for item in _pages(logs, page_size, logGroupNamePrefix=DEFAULT_PREFIX):
            keep(item)
    elsewhere = sorted(n for n in wanted if not n.startswith(DEFAULT_PREFIX))
    for index in range(0, len(elsewhere), MAX_IDENTIFIERS):
        chunk = elsewhere[index : index + MAX_IDENTIFIERS]
        for item in _pages(logs, page_size, logGroupIdentifiers=chunk):
            keep(item)
    return found


def _covered_from(group: _Group, start_ms: int, end_ms: int) -> int:
    begin = start_ms
    if group.retention_days:
        begin = max(begin, end_ms - group.retention_days * DAY_MS)
    if group.created_ms:
        begin = max(begin, group.created_ms)
    return min(begin, end_ms)


def read_memory_use(
    logs: Any,
    functions: Sequence[Resource],
    start: datetime,
    end: datetime,
    percentile: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = QUERY_TIMEOUT,
    page_size: int | None = None,
) -> LogsReading:
    """Each function's memory use between ``start`` and ``end``, by function name."""
    reading = LogsReading()
    groups_of = {f.id: log_group_of(f) for f in functions}
    groups = existing_groups(logs, sorted(set(groups_of.values())), page_size)
    for name, group in groups_of.items():
        if group not in groups:
            reading.missing[name] = f"no log group {group} (never invoked?)"
    present = sorted({g for g in groups_of.values() if g in groups})
    start_ms = int(start.astimezone(UTC).timestamp() * 1000)
    end_ms = int(end.astimezone(UTC).timestamp() * 1000)
    rows: dict[str, dict[str, str]] = {}
    failed: dict[str, str] = {}
    for index in range(0, len(present), MAX_GROUPS_A_QUERY):
        batch = present[index : index + MAX_GROUPS_A_QUERY]
        reading.queries += 1
        # StartQuery's end time is inclusive; the lookback ends just before midnight.
        status, found = _run_query(
            logs,
            batch,
            start_ms // 1000,
            end_ms // 1000 - 1,
            query_string(percentile),
            sleep,
            timeout,
        )
        if status != "Complete":
            failed.update({g: status for g in batch})
        rows.update(found)
    for name, group in groups_of.items():
        if group not in groups:
            continue
        if group in failed:
            reading.missing[name] = failed[group]
            continue
        row = rows.get(group)
        if row is None or "max_used" not in row:
            reading.missing[name] = f"no REPORT line in {group} over the lookback"
            continue
        covered_ms = end_ms - _covered_from(groups[group], start_ms, end_ms)
        reading.uses[name] = MemoryUse(
            invocations=int(float(row.get("invocations", 0))),
            max_used_mb=float(row["max_used"]) / MB,
            high_used_mb=float(row.get("high_used", row["max_used"])) / MB,
            memory_mb=float(row["memory_size"]) / MB if "memory_size" in row else None,
            billed_seconds=float(row.get("billed_ms", 0)) / 1000,
            hours=max(covered_ms, 1) / 3_600_000,
        )
    return reading


def _run_query(
    logs: Any,
    groups: list[str],
    start: int,
    end: int,
    query: str,
    sleep: Callable[[float], None],
    timeout: float,
) -> tuple[str, dict[str, dict[str, str]]]:
    """(final status, rows by log group name); a status other than Complete says why not."""
    try:
        query_id = logs.start_query(
            logGroupNames=groups, startTime=start, endTime=end, queryString=query
        )["queryId"]
    except botocore.exceptions.ClientError as error:
        # LimitExceededException: the account's concurrent queries are all taken.
        code = error.response.get("Error", {}).get("Code", "refused")
        return f"Logs Insights query not started ({code})", {}
    try:
        waited, wait = 0.0, FIRST_WAIT
        answer = logs.get_query_results(queryId=query_id)
        while answer["status"] in RUNNING:
            if waited >= timeout:
                logs.stop_query(queryId=query_id)
                return f"Logs Insights query still running after {timeout:g} s: stopped", {}
            sleep(wait)
            waited += wait
            wait = min(wait * 2, LONGEST_WAIT)
            answer = logs.get_query_results(queryId=query_id)
        if answer["status"] != "Complete":
            return f"Logs Insights query {answer['status']}", {}
        results = list(answer.get("results", []))
        while answer.get("nextToken"):
            answer = logs.get_query_results(queryId=query_id, nextToken=answer["nextToken"])
            results.extend(answer.get("results", []))
    except botocore.exceptions.ClientError as error:
        # A throttled GetQueryResults, or StopQuery on a query that ended between polls:
        # this batch has no figures, the rest of the region's scan goes on.
        code = error.response.get("Error", {}).get("Code", "refused")
        return f"Logs Insights query not read ({code})", {}
    rows: dict[str, dict[str, str]] = {}
    for result in results:
        row = {cell["field"]: cell["value"] for cell in result if "value" in cell}
        group = row.get("@log", "").split(":", 1)[-1]
        rows[group] = row
    return "Complete", rows
