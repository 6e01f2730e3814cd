"""The weekly review: trend against last week, burn-down, where the budget went; posted once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest

import cost.slack_standin as standin_module  # the cost tests' Slack stand-in
from cost.slack_standin import SlackStandIn, slack_standin
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.daemon.registry import registered_jobs
from sentinel.daemon.scheduler import Daemon
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples
from sentinel.slo.chart import burn_down_chart
from sentinel.slo.jobs import SLO_REVIEW, run_review
from sentinel.slo.review import slo_review
from sentinel.store import Store

from .project import LB, write_project

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # a Monday, 09:00
HOUR = 3600
TOKEN = "xoxb-slo-review-token"
REVIEW = """\
slo_review:
  schedule: "0 9 * * 1"
  slack: {channel: "#orders-slo", token: env:ORDERS_SLACK_TOKEN}
"""


def load_traffic(errors: dict[int, float], days: int = 40) -> None:
    """1,000 requests an hour for ``days`` days before NOW; ``errors`` by hours before NOW."""
    starts = int(NOW.timestamp()) - HOUR * np.arange(days * 24, 0, -1) + 60
    store = metric_store()
    alb = {"LoadBalancer": LB}
    store.put(
        MetricKey.of("AWS/ApplicationELB", "RequestCount", alb),
        Samples.of_values(starts, np.full(len(starts), 1000.0), "Count"),
    )
    hours = sorted(errors)
    store.put(
        MetricKey.of("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", alb),
        Samples.of_values(
            [int(NOW.timestamp()) - HOUR * h + 60 for h in hours],
            [errors[h] for h in hours],
            "Count",
        ),
    )


@pytest.fixture
def orders(tmp_path: Path, aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ORDERS_SLACK_TOKEN", TOKEN)
    slos = (write_project(tmp_path / "probe") / "monitors/slos.yaml").read_text()
    availability_only = slos.split("  - name: checkout-latency")[0]
    return write_project(tmp_path / "orders", {"monitors/slos.yaml": availability_only + REVIEW})


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    parse = standin_module._params

    def params(content_type: str, body: bytes) -> dict[str, object]:
        # The file upload step posts the PNG's bytes, which are no form.
        try:
            return parse(content_type, body)
        except UnicodeDecodeError:
            return {}

    monkeypatch.setattr(standin_module, "_params", params)
    with slack_standin() as standin:
        monkeypatch.setenv("SENTINEL_SLACK_API_URL", standin.base_url)
        yield standin


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.dispose()


def test_trend_burn_down_and_where_the_budget_went(orders: Path, aws: SessionFactory) -> None:
    # 33 days ago: 90 errors (in last week's window only); 3 days ago: 2 hours of 90 errors.
    load_traffic({33 * 24: 90.0, 3 * 24: 90.0, 3 * 24 - 1: 90.0})
    config = load_config(orders)

    review = slo_review(config.name, config.slos, aws, now=NOW)

    [entry] = review.entries
    # 30 days of 1,000 requests an hour allow 720 bad requests at 99.9 %.
    assert entry.status.budget.allowed == pytest.approx(720.0)
    assert entry.status.budget.remaining_percent == pytest.approx(75.0)
    assert entry.last_week.budget.remaining_percent == pytest.approx(87.5)
    assert entry.trend == pytest.approx(-12.5)
    assert entry.status.sli == pytest.approx(100 * (1 - 180 / 720_000))
    burn = entry.burn_down
    assert len(burn.times) == 30 * 24 and burn.times[-1] == NOW
    assert burn.remaining[0] == pytest.approx(100.0)
    assert burn.remaining[-1] == pytest.approx(75.0)
    [spend] = entry.spends
    assert (spend.start, spend.end) == (NOW - timedelta(hours=72), NOW - timedelta(hours=70))
    assert spend.share == pytest.approx(100.0)

    png = burn_down_chart(review)
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and image.shape[:2] == (528, 1100)


def test_posted_once_a_week_with_its_chart(
    orders: Path, aws: SessionFactory, slack: SlackStandIn, store: Store
) -> None:
    load_traffic({3 * 24: 90.0})
    config = load_config(orders)

    first = run_review(config, aws, store, now=NOW)
    again = run_review(config, aws, store, now=NOW + timedelta(days=2))

    assert first.deliveries is not None and first.deliveries[0].status == "posted"
    assert again.deliveries is not None and again.deliveries[0].status == "already posted"
    [post] = slack.calls("chat.postMessage")
    assert post.params["channel"] == "#orders-slo"
    text = str(post.params["blocks"])
    assert "checkout-availability" in text and "Attainment 99.987% over 30d" in text
    assert "87.5% of the error budget left" in text and "down 12.5 points" in text
    assert TOKEN not in text
    [upload] = slack.calls("upload")
    assert upload.body.startswith(b"\x89PNG")


def test_the_daemon_runs_it_weekly_on_monday_by_default(
    orders: Path, aws: SessionFactory, slack: SlackStandIn, store: Store
) -> None:
    load_traffic({})
    assert registered_jobs()["slo-review"] is SLO_REVIEW
    assert SLO_REVIEW.period == "week"
    config = load_config(orders)
    daemon = Daemon(config, aws, store, jobs={"slo-review": SLO_REVIEW})
    assert [(spec.name, cron) for spec, cron in daemon.configured()] == [
        ("slo-review", "0 9 * * mon")
    ]

    outcome = daemon.run_job("slo-review", NOW)
    rerun = daemon.run_job("slo-review", NOW + timedelta(hours=5))

    assert outcome.status == "succeeded"
    assert outcome.summary.startswith("1 SLOs: checkout-availability OK; posted #orders-slo")
    assert rerun.status == "skipped"
    assert len(slack.calls("chat.postMessage")) == 1

    # Without a slo_review block, SLOs still get the Monday 09:00 review (not posted).
    write_project(
        orders,
        {"monitors/slos.yaml": (orders / "monitors/slos.yaml").read_text().split("slo_review:")[0]},
    )
    bare = load_config(orders)
    assert SLO_REVIEW.schedule(bare) == "0 9 * * mon"
