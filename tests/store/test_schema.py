"""The store's schema: migrations that build exactly the declared tables, and the version check."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import Column, Integer, MetaData, Table, inspect, text
from tests.migrations import as_this_sentinel

import sentinel.cost.cache
import sentinel.cost.notices
import sentinel.daemon.ledger
import sentinel.routing.state
import sentinel.store.outbox
from sentinel.daemon.scheduler import JOBS_TABLE
from sentinel.store import METADATA, Store, schema
from sentinel.store.errors import StoreError
from sentinel.store.outbox import DELIVERIES, Outbox

FEATURES = (
    sentinel.cost.cache,
    sentinel.cost.notices,
    sentinel.daemon.ledger,
    sentinel.routing.state,
    sentinel.store.outbox,
)


def declared() -> MetaData:
    """Every table Sentinel declares, and APScheduler's job table as APScheduler declares it."""
    assert FEATURES
    everything = MetaData()
    for table in METADATA.tables.values():
        table.to_metadata(everything)
    jobs = SQLAlchemyJobStore(url="sqlite://", tablename=JOBS_TABLE).jobs_t
    jobs.to_metadata(everything)
    return everything


def test_the_migrations_build_exactly_the_declared_tables(store_url: str) -> None:
    store = Store(store_url)
    schema.upgrade(store.engine)
    with store.engine.connect() as db:
        diff = compare_metadata(MigrationContext.configure(db), declared())
    assert diff == []


def test_an_empty_store_is_created_at_head(store_url: str) -> None:
    store = Store(store_url)
    Outbox(store)
    found = schema.status(store.engine)
    assert (found.current, found.at_head, found.upgrade_needed) == (schema.head(), True, False)
    assert set(declared().tables) <= set(inspect(store.engine).get_table_names())


def test_a_store_at_head_is_used_as_it_is(store_url: str) -> None:
    Outbox(Store(store_url)).enqueue("k", "slack", "#ops", {"text": "hi"})
    again = Store(store_url)
    assert Outbox(again).get("k") is not None
    assert schema.status(again.engine).at_head


def test_an_older_store_is_refused_with_the_command_to_run(
    store_url: str, this_sentinel: str, newer_sentinel: str
) -> None:
    store = Store(store_url)
    schema.upgrade(store.engine, to=this_sentinel)  # as the previous version left it
    with pytest.raises(StoreError) as refused:
        Outbox(Store(store_url))
    assert str(refused.value) == (
        f"store schema is at {this_sentinel}, this Sentinel needs {newer_sentinel}: "
        "run `sentinel db upgrade`"
    )
    before, after = schema.upgrade(store.engine)
    assert (before.current, after.current) == (this_sentinel, newer_sentinel)
    Outbox(Store(store_url))  # at head now
    assert "later_table" in inspect(store.engine).get_table_names()


def test_a_store_upgraded_by_a_newer_sentinel_is_refused_by_the_older(
    store_url: str, newer_sentinel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    Outbox(Store(store_url))  # the newer Sentinel creates the store at its head
    assert schema.status(Store(store_url).engine).current == newer_sentinel
    as_this_sentinel(monkeypatch)
    with pytest.raises(StoreError, match=rf"store schema is at {newer_sentinel}.*upgrade Sentinel"):
        Outbox(Store(store_url))
    with pytest.raises(StoreError, match="upgrade Sentinel"):
        schema.upgrade(Store(store_url).engine)


def test_a_store_made_before_migrations_is_adopted(store_url: str) -> None:
    store = Store(store_url)
    METADATA.create_all(store.engine, tables=[DELIVERIES])  # as the first versions did
    with store.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO deliveries (key, channel, target, payload, progress, status,"
                " attempts, next_attempt_at, created_at) VALUES ('old', 'slack', '#ops', '{}',"
                " '{}', 'pending', 0, '2026-12-01 00:00:00', '2026-12-01 00:00:00')"
            )
        )
    assert schema.status(store.engine).legacy
    if schema.head() != schema.FIRST:
        # Adopted at the first revision; the later ones wait for `sentinel db upgrade`.
        with pytest.raises(StoreError, match="run `sentinel db upgrade`"):
            Outbox(Store(store_url))
        assert schema.status(store.engine).current == schema.FIRST
        Store(store_url).upgrade()
    outbox = Outbox(Store(store_url))
    assert outbox.get("old") is not None
    assert schema.status(store.engine).at_head
    assert set(declared().tables) <= set(inspect(store.engine).get_table_names())


def test_a_foreign_table_of_the_same_name_is_not_adopted(store_url: str) -> None:
    store = Store(store_url)
    foreign = MetaData()
    Table("deliveries", foreign, Column("id", Integer, primary_key=True))
    foreign.create_all(store.engine)
    with pytest.raises(StoreError, match="tables that Sentinel did not create: deliveries has"):
        Outbox(Store(store_url))


def test_a_table_no_migration_creates_is_named(store_url: str) -> None:
    unmigrated = Table("unmigrated", MetaData(), Column("id", Integer, primary_key=True))
    with pytest.raises(StoreError, match=r"no migration creates the table\(s\) unmigrated"):
        Store(store_url).ensure([unmigrated])
