"""The AWS calls the export source makes, for ``sentinel iam-policy`` (declared once, here)."""

from __future__ import annotations

from typing import Any

# The embedded engine lists the export's files and downloads those not cached yet.
DUCKDB_CALLS = ("s3:ListObjectsV2", "s3:GetObject")
# Athena runs the query; what Athena itself reads (the table in Glue, the export and the
# results location in S3) is authorised as the caller, see data/iam_actions.yaml.
ATHENA_CALLS = (
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
)


def cost_export_calls(config: Any) -> set[str]:
    """The calls of the cost jobs when ``cost_report.source`` is ``cur`` (else none)."""
    report = getattr(config, "cost_report", None) if config is not None else None
    if report is None or report.cur is None or report.source != "cur":
        return set()
    return set(ATHENA_CALLS if report.cur.engine == "athena" else DUCKDB_CALLS)
