"""Cost from AWS Data Exports (CUR 2.0 and FOCUS 1.0 Parquet in S3), behind ``CostSource``.

The same SQL (``query``) runs embedded on DuckDB over the export's files, downloaded once to a
local cache (``files``, ``duckdb_engine``), or on Athena over the export's table
(``athena_engine``) when the export outgrows one machine.
"""
