"""DuckDB as shipped: httpfs loads from its package with no network, days are UTC days."""

from __future__ import annotations

from sentinel.cost.cur import duckdb_engine


def test_httpfs_loads_from_its_package_offline() -> None:
    connection = duckdb_engine.connect()
    duckdb_engine.load_httpfs(connection)
    loaded = connection.execute(
        "SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'"
    ).fetchone()
    assert loaded == (True,)
    # Nothing is ever fetched from DuckDB's extension repository.
    settings = dict(
        connection.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoinstall_known_extensions', 'autoload_known_extensions', 'TimeZone')"
        ).fetchall()
    )
    assert settings == {
        "autoinstall_known_extensions": "false",
        "autoload_known_extensions": "false",
        "TimeZone": "UTC",
    }
