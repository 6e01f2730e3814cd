"""Logs Insights' ``stats`` over Lambda REPORT lines, which moto does not evaluate.

moto's StartQuery only lists the matching events' ``@timestamp``/``@message``; right-sizing
asks for ``filter @type = "REPORT" | stats max(@maxMemoryUsed), pct(@maxMemoryUsed, 99), ...
by @log``. This extension answers that shape the way Logs Insights does:

- A Lambda platform line (``START``/``END``/``REPORT RequestId: ...``) has the discovered
  field ``@type``; a REPORT line also ``@requestId``, ``@duration``, ``@billedDuration`` (ms),
  ``@initDuration`` (cold starts), and ``@memorySize``/``@maxMemoryUsed`` in bytes (Logs
  Insights multiplies the line's MB by 1,000,000).
- ``stats`` takes ``count(*)``, ``count(field)``, ``sum``, ``avg``, ``min``, ``max`` and
  ``pct(field, n)`` / ``percentile(field, n)`` (nearest rank), each ``as`` an alias, grouped
  ``by`` fields such as ``@log`` (``<account>:<log group>``); numbers come back as strings.
- StartQuery refuses an end time before the start time, and more than 50 log groups; the
  first GetQueryResults of a query answers ``Running`` with no rows (a client must poll).
- StopQuery (absent from moto) cancels a query the client has not yet seen complete, and
  refuses one that has ended.

Any other query shape is left to moto.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from typing import Any

from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.models import LogsBackend
from moto.logs.responses import LogsResponse

MAX_LOG_GROUPS = 50  # StartQuery's documented maximum of log groups a query
MB = 1_000_000
_MARK = "_sentinel_insights"
_REPORT = re.compile(
    r"^REPORT RequestId: (?P<request>\S+)\s+Duration: (?P<duration>[\d.]+) ms\s+"
    r"Billed Duration: (?P<billed>\d+) ms\s+Memory Size: (?P<size>\d+) MB\s+"
    r"Max Memory Used: (?P<used>\d+) MB(?:\s+Init Duration: (?P<init>[\d.]+) ms)?"
)
_PLATFORM = re.compile(r"^(START|END) RequestId: (\S+)")
_FILTER = re.compile(r'^filter\s+@type\s*=\s*"(?P<type>[A-Z]+)"$')
_STATS = re.compile(r"^stats\s+(?P<aggregates>.+?)(?:\s+by\s+(?P<by>[@\w, ]+))?$", re.S)
_AGGREGATE = re.compile(
    r"^(?P<fn>count|sum|avg|min|max|pct|percentile)\(\s*(?P<field>\*|@?\w+)?\s*"
    r"(?:,\s*(?P<n>[\d.]+)\s*)?\)(?:\s+as\s+(?P<alias>\w+))?$"
)


def report_fields(message: str) -> dict[str, Any]:
    """The fields Logs Insights discovers in a Lambda platform line (none for other lines)."""
    report = _REPORT.match(message)
    if report:
        fields: dict[str, Any] = {
            "@type": "REPORT",
            "@requestId": report["request"],
            "@duration": float(report["duration"]),
            "@billedDuration": float(report["billed"]),
            "@memorySize": int(report["size"]) * MB,
            "@maxMemoryUsed": int(report["used"]) * MB,
        }
        if report["init"]:
            fields["@initDuration"] = float(report["init"])
        return fields
    platform = _PLATFORM.match(message)
    if platform:
        return {"@type": platform.group(1), "@requestId": platform.group(2)}
    return {}


def _split(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def parse_report_stats(query: str) -> tuple[str, list[re.Match[str]], list[str]] | None:
    """(type filtered on, aggregates, by fields) of a ``filter @type | stats`` query, or None."""
    commands = [c.strip() for c in query.strip().split("|")]
    if len(commands) != 2:
        return None
    wanted, stats = _FILTER.match(commands[0]), _STATS.match(commands[1])
    if not wanted or not stats:
        return None
    aggregates = [_AGGREGATE.match(a) for a in _split(stats["aggregates"])]
    if not all(aggregates):
        return None
    by = [b.strip() for b in (stats["by"] or "").split(",") if b.strip()]
    return wanted["type"], [a for a in aggregates if a], by


def _value(function: str, values: list[float], percent: float | None) -> float | None:
    if function == "count":
        return float(len(values))
    if not values:
        return None
    if function == "sum":
        return math.fsum(values)
    if function == "avg":
        return math.fsum(values) / len(values)
    if function == "min":
        return min(values)
    if function == "max":
        return max(values)
    ordered = sorted(values)
    rank = max(1, math.ceil((percent or 0.0) / 100.0 * len(ordered)))
    return ordered[rank - 1]


def _text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def evaluate(
    account: str, groups: list[Any], query: str, start: int, end: int
) -> list[dict[str, str]] | None:
    """The rows Logs Insights answers a REPORT ``stats`` query with; None for other shapes."""
    parsed = parse_report_stats(query)
    if parsed is None:
        return None
    wanted, aggregates, by = parsed
    rows: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for group in groups:
        for stream in group.streams.values():
            for event in stream.events:
                if not start * 1000 <= event.timestamp <= end * 1000:
                    continue
                fields = report_fields(event.message)
                if fields.get("@type") != wanted:
                    continue
                fields["@log"] = f"{account}:{group.name}"
                fields["@logStream"] = stream.log_stream_name
                rows[tuple(str(fields.get(b, "")) for b in by)].append(fields)
    answer = []
    for key, events in sorted(rows.items()):
        row = dict(zip(by, key, strict=True))
        for aggregate in aggregates:
            field = aggregate["field"]
            function = aggregate["fn"]
            name = aggregate["alias"] or aggregate.group(0).split(" as ")[0]
            if function == "count" and field in (None, "*"):
                values = [1.0] * len(events)
            else:
                values = [float(e[field]) for e in events if field in e]
            percent = float(aggregate["n"]) if aggregate["n"] else None
            result = _value("pct" if function == "percentile" else function, values, percent)
            if result is not None:
                row[name] = _text(result)
        answer.append(row)
    return answer


def install() -> None:
    original_start = LogsBackend.start_query
    if getattr(original_start, _MARK, False):
        return

    def start_query(
        self: Any, log_group_names: list[str], start_time: int, end_time: int, query_string: str
    ) -> str:
        if len(log_group_names) > MAX_LOG_GROUPS:
            raise InvalidParameterException(
                msg=f"A query can cover at most {MAX_LOG_GROUPS} log groups"
            )
        if end_time < start_time:
            raise InvalidParameterException(msg="End time should not be before the start time")
        query_id = str(original_start(self, log_group_names, start_time, end_time, query_string))
        groups = [self.groups[name] for name in log_group_names]
        rows = evaluate(self.account_id, groups, query_string, start_time, end_time)
        query = self.queries[query_id]
        if rows is not None:
            query.results = rows
        query.polled = False
        query.ended = False
        return query_id

    setattr(start_query, _MARK, True)
    LogsBackend.start_query = start_query  # type: ignore[method-assign]
    original_results = LogsResponse.get_query_results

    def get_query_results(self: Any) -> str:
        query = self.logs_backend.queries.get(self._get_param("queryId"))
        if query is not None and not getattr(query, "polled", True):
            query.polled = True
            return json.dumps({"results": [], "status": "Running"})
        if query is not None:
            query.ended = True
        return str(original_results(self))

    LogsResponse.get_query_results = get_query_results  # type: ignore[method-assign]

    def stop_query(self: Any) -> str:
        query_id = self._get_param("queryId")
        query = self.logs_backend.queries.get(query_id)
        if query is None:
            raise ResourceNotFoundException(f"Query {query_id} does not exist")
        if getattr(query, "ended", True) or query.status == "Cancelled":
            raise InvalidParameterException(msg=f"Query {query_id} is not running")
        query.status = "Cancelled"
        query.results = []
        query.ended = True
        return json.dumps({"success": True})

    LogsResponse.stop_query = stop_query  # type: ignore[attr-defined]
