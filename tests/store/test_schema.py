"""The store's schema: migrations that build exactly the declared tables, and the version check."""

from __future__ import annotations

import threading

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
from sentinel.store.outbox import Outbox

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
    first = schema._first_tables()
    first.create_all(store.engine, tables=[first.tables["deliveries"]])  # as the first versions
    with store.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO deliveries (key, channel, target, payload, progress, status,"
                " attempts, next_attempt_at, created_at) VALUES ('old', 'slack', '#ops', '{}',"
                " '{}', 'pending', 0, '2026-12-01 00:00:00', '2026-12-01 00:00:00')"
            )
        )
        db.execute(
            text(
                "INSERT INTO deliveries (key, channel, target, payload, progress, status,"
                " attempts, next_attempt_at, created_at, delivered_at) VALUES ('sent', 'slack',"
                ' \'#ops\', \'{}\', \'{"ts": "1.5", "channel_id": "C1", "file": "F1"}\','
                " 'delivered', 1, '2026-12-01 00:00:00', '2026-12-01 00:00:00',"
                " '2026-12-01 00:01:00')"
            )
        )
    assert schema.status(store.engine).legacy
    # Its tables are checked against 0001, then it is brought to head: the Sentinel that made
    # it created tables on first use and never asked for an upgrade.
    outbox = Outbox(Store(store_url))
    old = outbox.get("old")
    assert old is not None and old.status == "pending" and old.progress == {}
    # What was delivered stays delivered, its parts with it: nothing is sent again.
    sent = outbox.get("sent")
    assert sent is not None and sent.delivered
    assert sent.progress == {"ts": "1.5", "channel_id": "C1", "file": "F1"}
    assert [d.key for d in outbox.pending()] == ["old"]
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


def test_stored_anomalies_of_revision_0001_become_spikes(store_url: str) -> None:
    engine = Store(store_url).engine
    schema.upgrade(engine, to=schema.FIRST)
    with engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO cost_anomalies (project, series, start, last_day, impact,"
                " notified_impact, notices, status, created_at, updated_at) VALUES ('shop',"
                " 'SERVICE=AWS Backup', '2026-11-20', '2026-11-21', '80.00', '80.00', 1, 'ended',"
                " '2026-11-21 00:00:00', '2026-11-21 00:00:00')"
            )
        )
    schema.upgrade(engine, to="0004")
    with engine.connect() as db:
        assert db.execute(text("SELECT direction FROM cost_anomalies")).scalars().all() == ["spike"]


def test_two_processes_that_find_an_empty_store_at_once(store_url: str) -> None:
    stores = [Store(store_url) for _ in range(3)]
    errors: list[BaseException] = []

    def start(store: Store) -> None:
        try:
            Outbox(store)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert all(schema.status(store.engine).at_head for store in stores)
