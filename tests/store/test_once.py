"""The "once" record: one winner of a claim, leases and their fencing, parts recorded once, and
the migration that moved the daemon's runs, the outbox and Cost Explorer's answers into it."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from sentinel.store import Store, once, schema

NOW = datetime(2026, 3, 10, 9, 0)  # naive UTC, as the store keeps it
LEASE = timedelta(seconds=30)
WHERE = ("job", "report", "2026-03-10")  # scope, key, part


@pytest.fixture
def store(backend_store: Store) -> Store:
    """Every test of this module runs on SQLite and on PostgreSQL."""
    backend_store.ensure([once.ONCE])
    return backend_store


def claim(store: Store, holder: str, now: datetime = NOW, **options: object) -> once.Once | None:
    with store.engine.begin() as tx:
        return once.claim(
            tx, "job", "report", "2026-03-10", holder=holder, now=now, lease=LEASE, **options
        )


def test_of_many_claimants_at_once_one_wins(store: Store) -> None:
    won: list[str] = []
    start = threading.Barrier(4)

    def claimant(name: str) -> None:
        start.wait()
        if claim(store, name) is not None:
            won.append(name)

    threads = [threading.Thread(target=claimant, args=(f"c{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    with store.engine.connect() as tx:
        [record] = once.records(tx, "job")
    assert (record.status, record.holder, record.attempts) == (once.CLAIMED, won[0], 1)


def test_a_live_lease_holds_a_passed_one_is_taken_over_and_fences_the_old_holder(
    store: Store,
) -> None:
    first = claim(store, "first")
    assert first is not None
    assert claim(store, "second", NOW + LEASE) is None  # not yet passed
    second = claim(store, "second", NOW + LEASE + timedelta(seconds=1))
    assert second is not None and second.attempts == 2
    with store.engine.begin() as tx:
        assert not once.renew(
            tx, *WHERE, attempt=first.attempts, holder="first", now=NOW, lease=LEASE
        )
        assert not once.finish(tx, *WHERE, ok=True, now=NOW, attempt=first.attempts, holder="first")
        assert once.renew(
            tx, *WHERE, attempt=second.attempts, holder="second", now=NOW + LEASE, lease=LEASE
        )
        assert once.finish(
            tx,
            "job",
            "report",
            "2026-03-10",
            ok=True,
            now=NOW + LEASE,
            outcome="posted",
            attempt=second.attempts,
            holder="second",
        )
        record = once.get(tx, "job", "report", "2026-03-10")
    assert record is not None and record.done and record.outcome == "posted"
    assert claim(store, "third", NOW + timedelta(days=1)) is None  # done: never again
    again = claim(store, "third", NOW + timedelta(days=1), again=True)
    assert again is not None and again.attempts == 3


def test_a_failed_record_may_be_claimed_again(store: Store) -> None:
    first = claim(store, "first")
    assert first is not None
    with store.engine.begin() as tx:
        once.finish(tx, "job", "report", "2026-03-10", ok=False, now=NOW, outcome="503")
    retry = claim(store, "second", NOW + timedelta(seconds=1))
    assert retry is not None and retry.holder == "second" and retry.outcome is None


def test_parts_are_recorded_once_in_the_order_they_were_done(store: Store) -> None:
    with store.engine.begin() as tx:
        assert once.record_done(tx, "delivery", "k", "channel_id+ts", NOW, {"ts": "1.5"})
        assert not once.record_done(tx, "delivery", "k", "channel_id+ts", NOW, {"ts": "9.9"})
        once.record_done(tx, "delivery", "k", "file", NOW + timedelta(seconds=1), {"file": "F"})
        once.record_done(tx, "delivery", "other", "file", NOW, {"file": "G"})
        parts = once.done_parts(tx, "delivery", "k")
        recorded = once.keys_recorded(tx, "delivery", ["k", "other", "never"])
    assert parts == {"channel_id+ts": {"ts": "1.5"}, "file": {"file": "F"}}
    assert recorded == {"k", "other"}


def test_a_fresher_answer_replaces_the_old_and_old_records_are_forgotten(store: Store) -> None:
    with store.engine.begin() as tx:
        once.replace_done(tx, "cost:ce", "q", once.WHOLE, NOW, {"rows": [1]})
        once.replace_done(tx, "cost:ce", "q", once.WHOLE, NOW + timedelta(hours=1), {"rows": [2]})
        record = once.get(tx, "cost:ce", "q")
        assert record is not None and record.detail == {"rows": [2]}
        assert once.forget(tx, "cost:ce", NOW + timedelta(hours=2)) == 1
        assert once.get(tx, "cost:ce", "q") is None


def test_the_migration_carries_runs_deliveries_and_answers_over_and_back(store_url: str) -> None:
    old = Store(store_url)
    schema.upgrade(old.engine, to="0005")
    progress = json.dumps({"ts": "1.5", "channel_id": "C1", "file": "F1"})
    with old.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO job_runs (job, period, status, attempts, started_at, finished_at,"
                " summary, holder, lease_until, scheduled_at) VALUES ('cost-report',"
                " '2026-03-10', 'succeeded', 2, '2026-03-10 09:00:00', '2026-03-10 09:01:00',"
                " 'posted', 'h:1:ab', NULL, '2026-03-10 09:00:00')"
            )
        )
        db.execute(
            text(
                "INSERT INTO cost_answers (source, key, fetched_at, payload) VALUES"
                " ('cost-explorer', 'forecast:2026-03', '2026-03-10 08:00:00', :payload)"
            ),
            {"payload": json.dumps({"total": "12.50"})},
        )
        db.execute(
            text(
                "INSERT INTO deliveries (key, channel, target, payload, progress, status,"
                " attempts, next_attempt_at, created_at, delivered_at) VALUES ('report:1',"
                " 'slack', '#ops', '{}', :progress, 'delivered', 1, '2026-03-10 09:00:00',"
                " '2026-03-10 09:00:00', '2026-03-10 09:02:00')"
            ),
            {"progress": progress},
        )
    schema.upgrade(old.engine)
    with old.engine.connect() as tx:
        [run] = once.records(tx, "job")
        answer = once.get(tx, "cost:cost-explorer", "forecast:2026-03")
        parts = once.done_parts(tx, "delivery", "report:1")
    assert (run.key, run.part, run.status, run.attempts, run.outcome) == (
        "cost-report",
        "2026-03-10",
        once.DONE,
        2,
        "posted",
    )
    assert answer is not None and answer.detail == {"total": "12.50"}
    assert parts == {
        "channel_id+ts": {"ts": "1.5", "channel_id": "C1"},
        "file": {"file": "F1"},
        once.WHOLE: None,
    }
    tables = set(inspect(old.engine).get_table_names())
    assert not tables & {"job_runs", "cost_answers"}
    assert "progress" not in {c["name"] for c in inspect(old.engine).get_columns("deliveries")}

    from alembic import command

    with old.engine.begin() as db:
        command.downgrade(schema._config(db), "0005")
    with old.engine.connect() as db:
        runs = db.execute(text("SELECT job, status, summary FROM job_runs")).all()
        answers = db.execute(text("SELECT source, key FROM cost_answers")).all()
        delivery = db.execute(text("SELECT status, progress FROM deliveries")).one()
    assert [tuple(r) for r in runs] == [("cost-report", "succeeded", "posted")]
    assert [tuple(r) for r in answers] == [("cost-explorer", "forecast:2026-03")]
    shown = (
        delivery.progress if isinstance(delivery.progress, dict) else json.loads(delivery.progress)
    )
    assert delivery.status == "delivered" and shown == json.loads(progress)
    old.dispose()


def test_the_routers_deliveries_become_once_records_and_back(store_url: str) -> None:
    old = Store(store_url)
    schema.upgrade(old.engine, to="0006")
    with old.engine.begin() as db:
        db.execute(
            text(
                "INSERT INTO router_deliveries (message_id, destination, delivered_at) VALUES"
                " ('m-1', 'pagerduty:critical', '2026-03-10 09:00:00'),"
                " ('m-1', 'slack:#ops', '2026-03-10 09:00:01')"
            )
        )
    schema.upgrade(old.engine)
    with old.engine.connect() as tx:
        parts = once.done_parts(tx, "router", "m-1")
    assert set(parts) == {"pagerduty:critical", "slack:#ops"}
    assert "router_deliveries" not in inspect(old.engine).get_table_names()

    from alembic import command

    with old.engine.begin() as db:
        command.downgrade(schema._config(db), "0006")
    with old.engine.connect() as db:
        rows = db.execute(text("SELECT message_id, destination FROM router_deliveries")).all()
        left = once.records(db, "router")
    assert sorted(tuple(r) for r in rows) == [("m-1", "pagerduty:critical"), ("m-1", "slack:#ops")]
    assert left == []
    old.dispose()
