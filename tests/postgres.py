"""A real PostgreSQL server for the store tests, and a fresh empty database for each test.

``pgserver`` ships the server's binaries in its wheel, so nothing beyond the dev extra is needed.
Each pytest process (each xdist worker) starts one server in its own temporary directory, on a
Unix socket only, on first use; every test that asks for ``store_url`` runs once on SQLite and
once on PostgreSQL, each time on a database of its own, dropped afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url

with warnings.catch_warnings():
    # platformdirs warns, on import, that a container's root has no XDG_RUNTIME_DIR.
    warnings.simplefilter("ignore")
    import pgserver
    from pgserver._commands import pg_ctl

BACKENDS = ["sqlite", "postgresql"]


class PostgresServer:
    """One pgserver instance: URLs of its databases, and stop/start to test an outage."""

    def __init__(self, pgdata: Path) -> None:
        self.server = pgserver.get_server(pgdata, cleanup_mode="stop")
        self._admin: Engine | None = None
        # A test database is thrown away: no need to wait for the disk.
        self._execute("ALTER SYSTEM SET fsync = off")
        self._execute("ALTER SYSTEM SET synchronous_commit = off")
        self._execute("ALTER SYSTEM SET full_page_writes = off")
        self._execute("SELECT pg_reload_conf()")

    def url(self, database: str = "postgres") -> URL:
        """The ``postgresql+psycopg://`` URL of one database of this server."""
        return make_url(self.server.get_uri(database)).set(drivername="postgresql+psycopg")

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex}"
        self._execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        # WITH (FORCE): an engine the test left open must not keep the database alive.
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def role_with_password(self, name: str, password: str) -> None:
        """A login role that must give its password (the server trusts every other role)."""
        hba = self.server.pgdata / "pg_hba.conf"
        rule = f"local all {name} scram-sha-256\n"
        if rule not in hba.read_text():
            hba.write_text(rule + hba.read_text())
        self._execute(f"DROP ROLE IF EXISTS {name}")
        self._execute(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
        self._execute("SELECT pg_reload_conf()")

    def stop(self) -> None:
        """Stop the server (fast shutdown: open connections are cut, as in an outage)."""
        self._dispose()
        pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user
        )

    def start(self) -> None:
        """Start the server again on the same data directory and socket."""
        with self.server._lock:
            self.server.ensure_postgres_running()

    def close(self) -> None:
        self._dispose()
        self.server.cleanup()

    def _execute(self, statement: str) -> None:
        if self._admin is None:
            self._admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with self._admin.connect() as db:
            db.execute(text(statement))

    def _dispose(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
            self._admin = None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """This process's PostgreSQL server (started once, about a second; stopped at the end).

    Not under pytest's temporary directory: pytest keeps that private to root (0700) and may
    reset it at any time, while the server runs as another user (pgserver's, when root) that
    must traverse the path to its data directory."""
    home = Path(tempfile.mkdtemp(prefix="sentinel-postgres-"))
    server = PostgresServer(home / "data")
    yield server
    server.close()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name).render_as_string(hide_password=False)
    postgres_server.drop_database(name)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a fresh, empty store: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))
