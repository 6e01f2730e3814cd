"""The distributed engine: the same SQL run by Athena over the export's table.

StartQueryExecution, GetQueryExecution until the query ends, then GetQueryResults through
its paginator (the first row of the first page is the header). Values arrive as text.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sentinel.aws.failures import AWS_FAILURES, describe
from sentinel.cost.cur.files import ExportError

RUNNING_STATES = ("QUEUED", "RUNNING")
# Athena's GetQueryResults MaxResults is 1..1000.
PAGE_SIZE = 1000
QUERY_STRING_MAX = 262144


@dataclass(frozen=True)
class AthenaTarget:
    workgroup: str
    database: str
    table: str
    output: str | None = None  # s3:// location of results; the workgroup's when None
    catalog: str | None = None
    partition_column: str | None = None

    @property
    def relation(self) -> str:
        parts = [self.database, self.table]
        return ".".join('"' + p.replace('"', '""') + '"' for p in parts)


class AthenaEngine:
    def __init__(
        self,
        client: Any,
        target: AthenaTarget,
        timeout: float = 600.0,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.client = client
        self.target = target
        self.timeout = timeout
        self.page_size = page_size
        self.queries = 0

    def run(self, sql: str) -> list[dict[str, str | None]]:
        if len(sql) > QUERY_STRING_MAX:
            raise ExportError(
                f"the query is {len(sql)} characters, over Athena's {QUERY_STRING_MAX}"
            )
        where = f"Athena workgroup {self.target.workgroup!r}, table {self.target.relation}"
        context: dict[str, str] = {"Database": self.target.database}
        if self.target.catalog:
            context["Catalog"] = self.target.catalog
        params: dict[str, Any] = {
            "QueryString": sql,
            "QueryExecutionContext": context,
            "WorkGroup": self.target.workgroup,
        }
        if self.target.output:
            params["ResultConfiguration"] = {"OutputLocation": self.target.output}
        try:
            execution = self.client.start_query_execution(**params)["QueryExecutionId"]
            self.queries += 1
            self._wait(execution, where)
            return self._results(execution)
        except AWS_FAILURES as exc:
            raise ExportError(f"{where}: {describe(exc)}") from None

    def _wait(self, execution: str, where: str) -> None:
        deadline = time.monotonic() + self.timeout
        delay = 0.2
        while True:
            status = self.client.get_query_execution(QueryExecutionId=execution)["QueryExecution"][
                "Status"
            ]
            state = status["State"]
            if state == "SUCCEEDED":
                return
            if state not in RUNNING_STATES:
                reason = status.get("StateChangeReason", "no reason given")
                raise ExportError(f"{where}: query {execution} {state.lower()}: {reason}")
            if time.monotonic() > deadline:
                self.client.stop_query_execution(QueryExecutionId=execution)
                raise ExportError(
                    f"{where}: query {execution} still {state} after {self.timeout:.0f}s"
                )
            time.sleep(delay)
            delay = min(delay * 2, 5.0)

    def _results(self, execution: str) -> list[dict[str, str | None]]:
        pages = self.client.get_paginator("get_query_results").paginate(
            QueryExecutionId=execution, PaginationConfig={"PageSize": self.page_size}
        )
        header: list[str] | None = None
        rows: list[dict[str, str | None]] = []
        for page in pages:
            for row in page["ResultSet"]["Rows"]:
                values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
                if header is None:
                    header = [str(v) for v in values]
                    continue
                rows.append(dict(zip(header, values, strict=False)))
        return rows
