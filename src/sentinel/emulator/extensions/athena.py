"""Athena's GetQueryResults in pages, and queries that a test can have answered for real.

moto returns every row of a result at once, ignoring MaxResults and NextToken, so here
GetQueryResults pages as Athena does: at most MaxResults rows (1..1000, default 1000) a page,
the header row counted in the first page, then a NextToken. moto runs no query; a test can
install a ``QueryRunner`` (``running_queries``) that answers each StartQueryExecution's SQL,
for instance DuckDB over the same Parquet files, so the product's Athena path is checked on
real figures.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from moto.athena.models import AthenaBackend, QueryResults
from moto.athena.responses import AthenaResponse

# (column names, rows of text values or None) of one query's answer.
QueryRunner = Callable[[str], tuple[Sequence[str], Sequence[Sequence[str | None]]]]
MAX_RESULTS = 1000
_runner: list[QueryRunner] = []
_moto_start = AthenaBackend.start_query_execution


@contextmanager
def running_queries(runner: QueryRunner) -> Iterator[None]:
    """Answer every StartQueryExecution with ``runner`` while the block runs."""
    _runner.append(runner)
    try:
        yield
    finally:
        _runner.remove(runner)


def install() -> None:
    AthenaBackend.start_query_execution = _start_query_execution  # type: ignore[method-assign]
    AthenaResponse.get_query_results = _get_query_results  # type: ignore[method-assign, assignment]


def _start_query_execution(self: AthenaBackend, query: str, *args: Any, **kwargs: Any) -> str:
    execution_id: str = _moto_start(self, query, *args, **kwargs)
    if _runner:
        names, rows = _runner[-1](query)
        header = [{"Data": [{"VarCharValue": n} for n in names]}]
        body = [
            {"Data": [{"VarCharValue": v} if v is not None else {} for v in row]} for row in rows
        ]
        info = [{"Name": n, "Label": n, "Type": "varchar"} for n in names]
        self.query_results[execution_id] = QueryResults(rows=header + body, column_info=info)
    return execution_id


def _get_query_results(self: AthenaResponse) -> str | tuple[str, dict[str, int]]:
    execution_id = self._get_param("QueryExecutionId")
    size = int(self._get_param("MaxResults") or MAX_RESULTS)
    if not 1 <= size <= MAX_RESULTS:
        return self.error(f"MaxResults must be between 1 and {MAX_RESULTS}", 400)
    token = self._get_param("NextToken")
    offset = 0
    if token:
        try:
            payload = json.loads(base64.urlsafe_b64decode(str(token).encode()))
            offset = int(payload["o"])
            if payload["q"] != execution_id:
                raise ValueError("token of another query")
        except (ValueError, KeyError, TypeError):
            return self.error("The NextToken is invalid", 400)
    result = self.athena_backend.get_query_results(execution_id).to_dict()
    rows = result["ResultSet"]["Rows"]
    result["ResultSet"]["Rows"] = rows[offset : offset + size]
    if offset + size < len(rows):
        next_token = json.dumps({"o": offset + size, "q": execution_id}).encode()
        result["NextToken"] = base64.urlsafe_b64encode(next_token).decode()
    return json.dumps(result)
