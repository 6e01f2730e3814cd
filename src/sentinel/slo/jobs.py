"""The weekly SLO review as a daemon job and a command: built, charted, posted once a week.

The message goes through the store's outbox under ``slo-review:<project>:<ISO week>:<channel>``:
a restart or a second run in the same week never posts it twice, and a post Slack refused is
sent again by the daemon's ``deliveries`` job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.models.monitors import SloReview
from sentinel.daemon.registry import JobContext, JobSpec
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.posting import SlackPost, post_once
from sentinel.slo.chart import burn_down_chart
from sentinel.slo.render import review_message
from sentinel.slo.review import SloReviewReport, slo_review
from sentinel.slo.templates import config_slos
from sentinel.store import Store
from sentinel.store.outbox import Sender


@dataclass(frozen=True)
class ReviewRun:
    review: SloReviewReport
    delivery: DeliveryResult | None


def review_key(project: str, as_of: datetime, channel: str) -> str:
    year, week, _ = as_of.isocalendar()
    return f"slo-review:{project}:{year}-W{week:02d}:{channel}"


def run_review(
    config: Any,
    factory: SessionFactory,
    store: Store | None,
    now: datetime | None = None,
    deliver: bool = True,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> ReviewRun:
    """The review of every SLO at ``now``; with ``deliver``, posted to the review's channel."""
    region = config.project.regions[0]
    slos = config_slos(config, factory, region)
    review = slo_review(config.name, slos, factory, now, region=region)
    if not deliver or store is None:
        return ReviewRun(review, None)
    return ReviewRun(review, deliver_review(review, config, store, factory, sender_overrides))


def deliver_review(
    review: SloReviewReport,
    config: Any,
    store: Store,
    factory: SessionFactory | None,
    sender_overrides: Mapping[str, Sender] | None = None,
) -> DeliveryResult:
    """Post the review to the review's Slack channel, once per ISO week and channel."""
    return post_once(
        config.slo_review.slack if config.slo_review else None,
        lambda channel: review_key(config.name, review.as_of, channel),
        lambda: SlackPost(
            review_message(review),
            title=f"SLO burn-down, {review.as_of:%d %b %Y}",
            chart=burn_down_chart(review),
            chart_name=f"slo-{review.project}-{review.as_of:%Y%m%d}.png",
        ),
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel in monitors/ slo_review",
    )


def _schedule(config: Any) -> str | None:
    """The review's crontab line: ``slo_review.schedule``, Monday 09:00 when SLOs exist."""
    if config.slo_review is not None:
        return str(config.slo_review.schedule)
    return SloReview.model_validate({}).schedule if config.slos else None


def _review(context: JobContext) -> str:
    run = run_review(context.config, context.factory, context.store, context.scheduled)
    states = [f"{e.status.name} {e.status.state.value}" for e in run.review.entries]
    text = f"{len(states)} SLOs: " + ", ".join(states) if states else "no SLOs"
    delivery = run.delivery
    if delivery is not None:
        detail = f" ({delivery.detail})" if delivery.detail else ""
        text += f"; {delivery.status} {delivery.target or ''}{detail}".rstrip()
    return text


SLO_REVIEW = JobSpec(
    "slo-review",
    "Weekly SLO review with burn-down chart, to Slack",
    _schedule,
    _review,
    "week",
    calls=("cloudwatch:GetMetricData",),
    reads_inventory=True,  # SLOs templated over resources
)
