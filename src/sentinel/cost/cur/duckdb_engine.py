"""The embedded engine: DuckDB over the export's files, downloaded once to the local cache.

Files are read locally rather than through DuckDB's httpfs extension: boto3 already holds the
credentials (profiles, SSO, assumed roles, refreshed), the same endpoint settings reach the
emulator, and a local copy is what makes the next report cost no S3 transfer at all. (The
``duckdb-extension-httpfs`` package still loads offline, see ``load_httpfs``, for a caller
that wants to read s3:// URLs directly.)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from sentinel.cost.cur.files import ExportError
from sentinel.cost.cur.schema import SCHEMAS, ExportSchema


def connect() -> duckdb.DuckDBPyConnection:
    # Days are UTC days, as Cost Explorer's; nothing is fetched from DuckDB's extension site.
    connection = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    )
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def load_httpfs(connection: duckdb.DuckDBPyConnection) -> None:
    """Load httpfs from the ``duckdb-extension-httpfs`` package (no network)."""
    import duckdb_extension_httpfs

    path = (
        Path(duckdb_extension_httpfs.__file__).parent
        / "extensions"
        / f"v{duckdb.__version__}"
        / "httpfs.duckdb_extension"
    )
    if not path.exists():
        raise ExportError(
            f"duckdb-extension-httpfs has no build for DuckDB {duckdb.__version__} ({path}): "
            "install the same version of both packages"
        )
    connection.execute(f"LOAD '{path}'")


def scan(paths: Sequence[Path]) -> str:
    """The relation of the files, partition column BILLING_PERIOD included."""
    files = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    return f"read_parquet([{files}], union_by_name = true, hive_partitioning = true)"


class ColumnCheck:
    """Each file's columns, read once per file version; an error names the file and columns."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, float], set[str]] = {}

    def columns(self, connection: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
        key = (str(path), path.stat().st_mtime)
        if key not in self._seen:
            try:
                rows = connection.execute(
                    "SELECT column_name FROM (DESCRIBE SELECT * FROM read_parquet(?))", [str(path)]
                ).fetchall()
            except duckdb.Error as exc:
                raise ExportError(f"{path.name}: not a readable Parquet file ({exc})") from None
            self._seen[key] = {str(r[0]) for r in rows}
        return self._seen[key]

    def check(
        self,
        connection: duckdb.DuckDBPyConnection,
        schema: ExportSchema,
        files: Sequence[tuple[str, Path]],
    ) -> set[str]:
        """The columns all files share; ExportError when one lacks a required column."""
        common: set[str] | None = None
        for shown, path in files:
            columns = self.columns(connection, path)
            missing = [c for c in schema.required if c not in columns]
            if missing:
                raise ExportError(_schema_problem(shown, schema, columns, missing))
            common = columns if common is None else common & columns
        return common or set()


def run(connection: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    try:
        cursor = connection.execute(sql)
    except duckdb.Error as exc:
        raise ExportError(f"the export's query failed on DuckDB: {exc}") from None
    names = [d[0] for d in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _schema_problem(shown: str, schema: ExportSchema, columns: set[str], missing: list[str]) -> str:
    for other in SCHEMAS.values():
        if other is not schema and all(c in columns for c in other.required):
            return (
                f"{shown}: holds a {other.title} export, not {schema.title}: "
                f"set `format: {other.format}` under cost_report.cur, or point at the "
                f"{schema.title} export"
            )
    return f"{shown}: not a {schema.title} export: lacks column(s) {', '.join(missing)}"
