"""What a store costs a test: a PostgreSQL database, and its schema, on SQLite and PostgreSQL.

The test suite runs every store test twice: on a SQLite file and on a PostgreSQL database of its
own (``tests/postgres.py``: one ``pgserver`` per test process, ``CREATE DATABASE`` per test).
Measured here, each the median of N rounds:

- starting the server (once per test process);
- a fresh database: ``CREATE DATABASE`` + ``DROP DATABASE ... WITH (FORCE)``, against a fresh
  schema (``CREATE SCHEMA`` + ``DROP SCHEMA ... CASCADE``), the cheaper way it could be done;
- the schema of an empty store: the first ``Store.ensure`` (Alembic: every migration, then the
  revision recorded), against ``METADATA.create_all`` of every table (what ``ensure`` did before
  migrations, when a test created all the tables);
- the check of a store already at head (what every later process pays once).

    python -m bench store_schema        (or: python -m bench.store_schema 20)
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import sentinel.cost.cache
import sentinel.cost.notices
import sentinel.daemon.ledger
import sentinel.routing.state
import sentinel.store.outbox
from sentinel.store import METADATA, Store

ROUNDS = 20
TABLE_MODULES = (
    sentinel.cost.cache,
    sentinel.cost.notices,
    sentinel.daemon.ledger,
    sentinel.routing.state,
    sentinel.store.outbox,
)


def median_ms(rounds: int, step: Callable[[int], None]) -> float:
    times = []
    for index in range(rounds):
        started = time.perf_counter()
        step(index)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(rounds: int = ROUNDS) -> int:
    assert TABLE_MODULES and METADATA.tables
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR for root
        import pgserver

    home = Path(tempfile.mkdtemp(prefix="bench-postgres-"))
    work = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))
    started = time.perf_counter()
    server = pgserver.get_server(home / "data", cleanup_mode="stop")
    start_ms = (time.perf_counter() - started) * 1000
    try:
        base = make_url(server.get_uri()).set(drivername="postgresql+psycopg")
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as db:
            for setting in ("fsync", "synchronous_commit", "full_page_writes"):
                db.execute(text(f"ALTER SYSTEM SET {setting} = off"))  # as the test fixture
            db.execute(text("SELECT pg_reload_conf()"))

        def run(statement: str) -> None:
            with admin.connect() as db:
                db.execute(text(statement))

        def database(_: int) -> None:
            name = f"b_{uuid.uuid4().hex}"
            run(f'CREATE DATABASE "{name}"')
            run(f'DROP DATABASE "{name}" WITH (FORCE)')

        def schema(_: int) -> None:
            name = f"b_{uuid.uuid4().hex}"
            run(f'CREATE SCHEMA "{name}"')
            run(f'DROP SCHEMA "{name}" CASCADE')

        def fresh_postgres() -> str:
            name = f"b_{uuid.uuid4().hex}"
            run(f'CREATE DATABASE "{name}"')
            return base.set(database=name).render_as_string(hide_password=False)

        sqlite_urls = [f"sqlite:///{work / f'm{i}.db'}" for i in range(rounds)]
        sqlite_plain = [f"sqlite:///{work / f'c{i}.db'}" for i in range(rounds)]
        postgres_urls = [fresh_postgres() for _ in range(rounds)]
        postgres_plain = [fresh_postgres() for _ in range(rounds)]
        Store(f"sqlite:///{work / 'warm.db'}").ensure([])  # imports alembic, reads the scripts

        def migrate(urls: list[str]) -> Callable[[int], None]:
            def step(index: int) -> None:
                store = Store(urls[index])
                store.ensure([])
                store.dispose()

            return step

        def create_all(urls: list[str]) -> Callable[[int], None]:
            def step(index: int) -> None:
                store = Store(urls[index])  # the same engine settings (WAL on SQLite)
                METADATA.create_all(store.engine)
                store.dispose()

            return step

        rows = [
            ("PostgreSQL server start (once per test process)", start_ms, None),
            ("fresh database: CREATE + DROP DATABASE", median_ms(rounds, database), None),
            ("fresh schema: CREATE + DROP SCHEMA", median_ms(rounds, schema), None),
            (
                "empty store to head: SQLite",
                median_ms(rounds, migrate(sqlite_urls)),
                median_ms(rounds, create_all(sqlite_plain)),
            ),
            (
                "empty store to head: PostgreSQL",
                median_ms(rounds, migrate(postgres_urls)),
                median_ms(rounds, create_all(postgres_plain)),
            ),
            ("store at head, checked: SQLite", median_ms(rounds, migrate(sqlite_urls)), None),
            ("store at head, checked: PostgreSQL", median_ms(rounds, migrate(postgres_urls)), None),
        ]
        admin.dispose()
    finally:
        server.cleanup()
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"median of {rounds} rounds, ms")
    print(f"{'':52} {'migrations':>11} {'create_all':>11}")
    for label, ms, before in rows:
        other = f"{before:11.1f}" if before is not None else f"{'':>11}"
        print(f"{label:52} {ms:11.1f} {other}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:2])))
