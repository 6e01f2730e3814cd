"""Engine, metadata and table creation for the store."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from sentinel import clock
from sentinel.errors import SentinelError

DEFAULT_URL = "sqlite:///.sentinel/sentinel.db"
# Every feature's tables are declared on this one MetaData, so one store holds them all.
METADATA = MetaData()


class StoreError(SentinelError):
    """The store cannot be opened (bad URL, unwritable directory, unreachable database)."""


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the store keeps (SQLite has no time zones)."""
    return clock.now().replace(tzinfo=None)


def store_url(url: str | None, root: Path) -> str:
    """The store URL with a relative SQLite path made relative to the config directory."""
    url = url or DEFAULT_URL
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid store URL {url!r}: {exc}") from None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database)
    if not path.is_absolute():
        path = (root / path).resolve()
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


class Store:
    """One database shared by the daemon's job store, caches, ledgers and outbox."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        self._ensured: set[str] = set()
        self._lock = threading.Lock()

    def ensure(self, tables: Iterable[Table]) -> None:
        """Create the tables that do not exist yet (once per process and store)."""
        missing = [t for t in tables if t.name not in self._ensured]
        if not missing:
            return
        with self._lock:
            METADATA.create_all(self.engine, tables=missing, checkfirst=True)
            self._ensured.update(t.name for t in missing)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(config: Any) -> Store:
    """The store of a loaded ``Config`` (its ``project.store`` URL, relative to its directory)."""
    return Store(store_url(config.project.store, Path(config.root)))


def _engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except Exception as exc:  # a missing driver or a malformed URL
            raise StoreError(f"cannot open store {parsed.render_as_string()}: {exc}") from None
    if parsed.database not in (None, "", ":memory:"):
        try:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the store's directory: {exc}") from None
    # The daemon's threads and a CLI command may write at once: wait for locks, don't fail.
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        if parsed.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode a commit survives a killed process without an fsync of its own (only
            # a power cut can lose the last ones): the router commits once per message.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine
