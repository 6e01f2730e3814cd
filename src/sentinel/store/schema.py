"""The store's schema version: Alembic migrations, configured in code (no ``alembic.ini``).

The migrations ship in the package (``sentinel/store/migrations``). Every process checks the
store's revision before it uses a table (``Store.ensure``):

- an empty store is brought to the newest revision (head);
- a store at head is used as it is;
- a store at an older revision is refused, with the command that upgrades it;
- a store at a revision this Sentinel does not know was upgraded by a newer Sentinel: it is
  refused too, so that of two daemons of different versions on one store the older stops;
- a store made before migrations (some of the tables, no ``alembic_version``) is adopted: its
  tables are checked against revision 0001, which then creates the missing ones and records
  0001; from there the rules above apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from sentinel.store.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST = "0001"
UPGRADE_COMMAND = "sentinel db upgrade"
# Two processes that find an empty PostgreSQL store at once: one creates it, the other waits.
_MIGRATION_LOCK = 0x53454E54  # "SENT"


class SchemaError(StoreError):
    """The store's schema is not the one this Sentinel needs (upgrade the store, or Sentinel)."""


@dataclass(frozen=True)
class SchemaStatus:
    """Where a store's schema stands against this Sentinel's migrations."""

    current: str | None  # None: no revision recorded (empty, or made before migrations)
    head: str
    known: bool  # the current revision is one of this Sentinel's
    legacy: bool  # tables made before migrations, no revision recorded

    @property
    def empty(self) -> bool:
        return self.current is None and not self.legacy

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def upgrade_needed(self) -> bool:
        return self.known and not self.at_head


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def head() -> str:
    revision = scripts().get_current_head()
    assert revision is not None
    return revision


def status(engine: Engine) -> SchemaStatus:
    with engine.connect() as connection:
        return _status(connection)


def check(engine: Engine) -> SchemaStatus:
    """The check made before the store is used: creates an empty store, refuses an old one."""
    found = status(engine)
    if found.at_head:
        return found
    if found.empty or found.legacy:
        try:
            upgrade(engine, to=head() if found.empty else FIRST)
        except SQLAlchemyError:
            # Another process created the schema meanwhile (SQLite has no migration lock).
            if not status(engine).at_head:
                raise
        found = status(engine)
        if found.at_head:
            return found
    if not found.known:
        raise SchemaError(
            f"store schema is at {found.current}, which this Sentinel does not know "
            f"(it needs {found.head}): the store was upgraded by a newer Sentinel; upgrade Sentinel"
        )
    raise SchemaError(
        f"store schema is at {found.current}, this Sentinel needs {found.head}: "
        f"run `{UPGRADE_COMMAND}`"
    )


def upgrade(engine: Engine, to: str | None = None) -> tuple[SchemaStatus, SchemaStatus]:
    """Apply the migrations up to ``to`` (head by default); the status before and after."""
    target = to or head()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        before = _status(connection)
        if not before.known:
            raise SchemaError(
                f"store schema is at {before.current}, which this Sentinel does not know: "
                "upgrade Sentinel"
            )
        if before.legacy:
            _check_legacy_tables(connection)
        if before.current != target:
            command.upgrade(_config(connection), target)
        after = _status(connection)
    return before, after


def _status(connection: Connection) -> SchemaStatus:
    current = MigrationContext.configure(connection).get_current_revision()
    known = current is None or _known(current)
    legacy = current is None and bool(
        set(inspect(connection).get_table_names()) & set(_first_tables().tables)
    )
    return SchemaStatus(current=current, head=head(), known=known, legacy=legacy)


def _known(revision: str) -> bool:
    try:
        return scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        return False


def _check_legacy_tables(connection: Connection) -> None:
    """A store made before migrations must have 0001's columns in the tables it has."""
    inspector = inspect(connection)
    present = set(inspector.get_table_names())
    problems = []
    for name, table in _first_tables().tables.items():
        if name not in present:
            continue
        have = {column["name"] for column in inspector.get_columns(name)}
        want = {column.name for column in table.columns}
        if have != want:
            problems.append(
                f"{name} has columns {sorted(have)}, revision {FIRST} has {sorted(want)}"
            )
    if problems:
        raise SchemaError(
            "the store has tables that Sentinel did not create: " + "; ".join(problems)
        )


def _first_tables() -> MetaData:
    script = scripts().get_revision(FIRST)
    assert script is not None
    module: ModuleType = script.module
    tables: MetaData = module.TABLES
    return tables


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config
