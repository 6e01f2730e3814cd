"""The store's engine and metadata, its URL (shown without password), and the schema check."""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, MetaData, Table, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from sentinel import clock
from sentinel.store.errors import StoreError

if TYPE_CHECKING:
    from sentinel.store.schema import SchemaStatus

DEFAULT_URL = "sqlite:///.sentinel/sentinel.db"
# Every feature's tables are declared on this one MetaData, so one store holds them all.
METADATA = MetaData()
T = TypeVar("T")
# Alembic logs every step (and its plugins, on import) at INFO, which the router's and the
# daemon's logs would show; `sentinel db upgrade` reports the revisions before and after itself.
logging.getLogger("alembic").setLevel(logging.WARNING)
# user:password@ in a URL that does not parse (so SQLAlchemy cannot hide the password)
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")


def utcnow() -> datetime:
    """Now, as the naive UTC datetime the store keeps (SQLite has no time zones)."""
    return clock.now().replace(tzinfo=None)


def store_url(url: str | None, root: Path) -> str:
    """The store URL with a relative SQLite path made relative to the config directory."""
    url = url or DEFAULT_URL
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            f"invalid store URL {shown(url)!r}: {_without_password(exc, url)}"
        ) from None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return url
    path = Path(parsed.database)
    if not path.is_absolute():
        path = (root / path).resolve()
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


def shown(url: str) -> str:
    """A store URL as it may be shown: its password, if any, as ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD.sub(r"\1***@", url)


def _without_password(exc: Exception, url: str) -> str:
    return str(exc).replace(url, shown(url))


class Store:
    """One database shared by the daemon's job store, caches, ledgers and outbox."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)
        self._ensured: set[str] = set()
        self._tables: set[str] = set()
        self._checked = False
        self._lock = threading.Lock()

    def ensure(self, tables: Iterable[Table]) -> None:
        """Check, once per process and store, that the store's schema is the one this Sentinel
        needs (an empty store is created at the newest revision), and that it has ``tables``."""
        missing = [t for t in tables if t.name not in self._ensured]
        if not missing and self._checked:
            return
        with self._lock:
            if not self._checked:
                from sentinel.store import schema  # alembic loads when a store is first used

                self._connecting(lambda: schema.check(self.engine))
                self._tables = set(self._connecting(lambda: inspect(self.engine).get_table_names()))
                self._checked = True
            unmigrated = sorted(t.name for t in missing if t.name not in self._tables)
            if unmigrated:
                raise StoreError(
                    f"no migration creates the table(s) {', '.join(unmigrated)}: add one under "
                    "sentinel/store/migrations/versions"
                )
            self._ensured.update(t.name for t in missing)

    def schema_status(self) -> SchemaStatus:
        """Where the store's schema stands against this Sentinel's migrations."""
        from sentinel.store import schema

        return self._connecting(lambda: schema.status(self.engine))

    def upgrade(self) -> tuple[SchemaStatus, SchemaStatus]:
        """Apply the migrations this store lacks; its schema status before and after."""
        from sentinel.store import schema

        return self._connecting(lambda: schema.upgrade(self.engine))

    @property
    def shown_url(self) -> str:
        """The URL as it may be shown: without its password."""
        return shown(self.url)

    def _connecting(self, step: Callable[[], T]) -> T:
        """Run the first step that reaches the database; a failure to connect is a user error."""
        try:
            return step()
        except (OperationalError, InterfaceError) as exc:
            reason = " ".join(str(exc.orig or exc).split()) or type(exc.orig).__name__
            raise StoreError(f"cannot connect to store {self.shown_url}: {reason}") from None

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(config: Any) -> Store:
    """The store of a loaded ``Config`` (its ``project.store`` URL, relative to its directory)."""
    return Store(store_url(config.project.store, Path(config.root)))


def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(
            f"invalid store URL {shown(url)!r}: {_without_password(exc, url)}"
        ) from None
    if parsed.get_backend_name() != "sqlite":
        try:
            # pre-ping: a connection the server dropped (restart, failover) is replaced, not used.
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            reason = f"its driver is not installed ({exc})"
            raise StoreError(f"cannot open store {shown(url)}: {reason}") from None
        except Exception as exc:  # an unknown dialect or driver, a malformed URL
            reason = _without_password(exc, url)
            raise StoreError(f"cannot open store {shown(url)}: {reason}") from None
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
            _write_ahead_log(cursor)
            # In WAL mode a commit survives a killed process without an fsync of its own (only
            # a power cut can lose the last ones): the router commits once per message.
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


WAL_SWITCH_WAIT = 30.0


def _write_ahead_log(cursor: Any) -> None:
    """WAL mode, kept by the file once set. Switching to it takes a lock that SQLite's busy
    timeout does not wait for, so two processes opening a new store at once retry it."""
    deadline = time.monotonic() + WAL_SWITCH_WAIT
    while cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
