"""The test fixture itself: a fresh, empty database per test on each backend."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from tests.postgres import PostgresServer


def test_each_store_url_is_an_empty_database(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as db:
        assert inspect(db).get_table_names() == []
        db.execute(text("CREATE TABLE marker (id INTEGER PRIMARY KEY)"))
    engine.dispose()


def test_postgres_url_uses_the_psycopg_driver(postgres_url: str) -> None:
    assert make_url(postgres_url).drivername == "postgresql+psycopg"


def test_the_server_stops_and_starts_again(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    engine = create_engine(postgres_url, pool_pre_ping=True)
    with engine.connect() as db:
        assert db.execute(text("SELECT 1")).scalar() == 1
    postgres_server.stop()
    postgres_server.start()
    with engine.connect() as db:
        assert db.execute(text("SELECT 2")).scalar() == 2
    engine.dispose()
