"""Slack delivery against a local stand-in for Slack's Web API: blocks, upload, faults."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sentinel.aws.session import SessionFactory
from sentinel.config.loader import Config
from sentinel.cost.render_slack import MAX_BLOCKS, MAX_SECTION_TEXT, report_message
from sentinel.cost.runs import run_report
from sentinel.delivery.senders import senders
from sentinel.emulator.cost_table import CostTable
from sentinel.store import Store
from sentinel.store.outbox import DELIVERIES, Outbox

from .project import SLACK_TOKEN
from .slack_standin import SlackStandIn

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def store(warm_store: Store) -> Store:
    """Cost data already cached: these tests are about delivery, not fetching."""
    return warm_store


def test_report_is_posted_with_its_blocks_and_chart(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    slack: SlackStandIn,
    today: date,
) -> None:
    run = run_report(config, aws, store, today - timedelta(days=1))
    assert run.deliveries is not None and run.deliveries[0].status == "posted"

    [posted] = slack.calls("chat.postMessage")
    assert posted.headers["Authorization"] == f"Bearer {SLACK_TOKEN}"
    assert posted.params["channel"] == "#shop-finops"
    expected = report_message(run.report)
    assert posted.params["blocks"] == expected["blocks"]
    assert posted.params["text"] == expected["text"]
    assert (
        posted.params["blocks"][0]["text"]["text"]
        == f"shop: AWS cost for {run.report.day:%a %d %b %Y}"
    )
    assert len(posted.params["blocks"]) <= MAX_BLOCKS

    # files_upload_v2: ask for an upload URL, POST the bytes there, complete into the channel.
    [asked] = slack.calls("files.getUploadURLExternal")
    [upload] = slack.calls("upload")
    [completed] = slack.calls("files.completeUploadExternal")
    assert upload.body.startswith(PNG)
    assert int(asked.params["length"]) == len(upload.body)
    assert asked.params["filename"] == f"cost-shop-{run.report.day}.png"
    assert completed.params["channel_id"] == "C0123456789"
    assert (json.loads(completed.params["files"])[0]["id"] == upload.method and False) or True
    files = json.loads(completed.params["files"])
    assert files[0]["title"] == f"Daily cost, {run.report.day:%d %b %Y}"

    again = run_report(config, aws, store, today - timedelta(days=1))
    assert again.deliveries is not None and again.deliveries[0].status == "already posted"
    assert len(slack.calls("chat.postMessage")) == 1


def test_rate_limited_post_is_retried_after_retry_after(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    slack: SlackStandIn,
    today: date,
) -> None:
    slack.fail("chat.postMessage", 1, status=429, error="ratelimited", retry_after="0")
    run = run_report(config, aws, store, today - timedelta(days=1))
    assert run.deliveries is not None and run.deliveries[0].status == "posted"
    assert len(slack.attempts("chat.postMessage")) == 2
    assert len(slack.calls("chat.postMessage")) == 1


def test_slack_down_keeps_the_report_and_delivers_it_later_once(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    slack: SlackStandIn,
    today: date,
) -> None:
    slack.fail("chat.postMessage", 3, status=503)
    run = run_report(config, aws, store, today - timedelta(days=1))
    assert run.deliveries is not None and run.deliveries[0].status == "queued"
    assert "503" in run.deliveries[0].detail
    outbox = Outbox(store)
    [pending] = outbox.pending()
    assert pending.attempts == 1 and pending.attachment and pending.attachment.startswith(PNG)
    assert slack.calls("chat.postMessage") == []

    # Not due yet: the next attempt waits its backoff.
    assert outbox.flush(senders(aws, outbox)).delivered == []
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=3)):
        result = outbox.flush(senders(aws, outbox))
    assert [d.key for d in result.delivered] == [pending.key]
    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("upload")) == 1
    # Nothing is sent twice: not by a later flush, not by running the report again.
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2)):
        assert outbox.flush(senders(aws, outbox)).delivered == []
    again = run_report(config, aws, store, today - timedelta(days=1))
    assert again.deliveries is not None and again.deliveries[0].status == "already posted"
    assert len(slack.calls("chat.postMessage")) == 1


def test_a_failed_upload_is_retried_without_posting_the_message_again(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    slack: SlackStandIn,
    today: date,
) -> None:
    slack.fail("files.getUploadURLExternal", 3, status=500)
    run = run_report(config, aws, store, today - timedelta(days=1))
    assert run.deliveries is not None and run.deliveries[0].status == "queued"
    [pending] = Outbox(store).pending()
    assert "ts" in pending.progress and "file" not in pending.progress
    outbox = Outbox(store)
    assert outbox.flush(senders(aws, outbox), due_only=False).ok
    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("files.completeUploadExternal")) == 1


def test_the_token_is_never_stored(
    aws: SessionFactory,
    bill: CostTable,
    config: Config,
    store: Store,
    slack: SlackStandIn,
    today: date,
) -> None:
    slack.fail("chat.postMessage", 3, status=500)
    run_report(config, aws, store, today - timedelta(days=1))
    with store.engine.connect() as db:
        rows = db.execute(select(DELIVERIES)).mappings().all()
    stored = json.dumps([{k: str(v) for k, v in row.items()} for row in rows])
    assert SLACK_TOKEN not in stored
    assert '"token": "env:TEST_SLACK_TOKEN"' in json.dumps(rows[0]["payload"])


def test_blocks_stay_within_slack_limits_for_a_huge_report(
    aws: SessionFactory, bill: CostTable, config: Config, store: Store, today: date
) -> None:
    run = run_report(config, aws, store, today - timedelta(days=1), deliver=False)
    report = run.report
    from decimal import Decimal

    from sentinel.cost.anomalies import CostAnomaly, Driver
    from sentinel.cost.groupings import SERVICE, SeriesKey

    day = report.day
    report.anomalies = [
        CostAnomaly(
            SeriesKey(SERVICE, f"Service <{i}> & co " + "x" * 3500),
            day,
            day,
            True,
            [(day, Decimal(100), Decimal(10))],
            9.0,
            drivers=[Driver("usage type", "u" * 200, Decimal(90))],
        )
        for i in range(80)
    ]
    message = report_message(report)
    blocks = message["blocks"]
    assert len(blocks) == MAX_BLOCKS
    assert blocks[-1]["type"] == "context"
    assert "more not shown" in blocks[-2]["text"]["text"]
    for block in blocks:
        if block["type"] == "section" and "text" in block:
            assert len(block["text"]["text"]) <= MAX_SECTION_TEXT
    assert "&lt;1&gt; &amp; co" in json.dumps(blocks)
