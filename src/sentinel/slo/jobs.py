"""The weekly SLO review as a daemon job and a command: built, charted, sent once a week to
each place monitors/ slo_review names (Slack, email, a severity).

Each goes through the store's outbox under ``slo-review:<project>:<ISO week>:<place>``: a
restart or a second run in the same week never sends it twice, and one that was refused is sent
again by the daemon's ``deliveries`` job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.config.models.monitors import SloReview
from sentinel.daemon.registry import JobContext, JobSpec
from sentinel.delivery.calls import REPORT_CALLS
from sentinel.delivery.email import EmailPost
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.posting import SlackPost
from sentinel.delivery.report_targets import ReportParts, deliver_to_targets
from sentinel.delivery.text import console_text
from sentinel.delivery.topic import TopicPost
from sentinel.slo.chart import burn_down_chart
from sentinel.slo.render import render_review, review_message
from sentinel.slo.review import SloReviewReport, slo_review
from sentinel.slo.templates import config_slos
from sentinel.store import Store
from sentinel.store.outbox import Sender


@dataclass(frozen=True)
class ReviewRun:
    review: SloReviewReport
    deliveries: list[DeliveryResult] | None  # None: not delivered (a dry run)


def review_key(project: str, as_of: datetime) -> str:
    year, week, _ = as_of.isocalendar()
    return f"slo-review:{project}:{year}-W{week:02d}"


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
) -> list[DeliveryResult]:
    """Send the review to each place monitors/ slo_review names, once per ISO week and place."""
    title = f"SLO burn-down, {review.as_of:%d %b %Y}"

    def text() -> str:
        return console_text(lambda console: render_review(review, console))

    def email() -> EmailPost:
        chart = burn_down_chart(review)
        name = f"slo-{review.project}-{review.as_of:%Y%m%d}.png"
        return EmailPost(f"[{review.project}] {title}", text(), None, chart, name)

    parts = ReportParts(
        lambda: SlackPost(
            review_message(review),
            title=title,
            chart=burn_down_chart(review),
            chart_name=f"slo-{review.project}-{review.as_of:%Y%m%d}.png",
        ),
        email,
        lambda: TopicPost("slo-review", review.project, title, text()),
    )
    return deliver_to_targets(
        config.slo_review,
        review_key(config.name, review.as_of),
        parts,
        config,
        store,
        factory,
        sender_overrides,
        unconfigured="no slack channel, email or severity in monitors/ slo_review",
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
    for delivery in run.deliveries or []:
        detail = f" ({delivery.detail})" if delivery.detail else ""
        text += f"; {delivery.status} {delivery.target or ''}{detail}".rstrip()
    return text


SLO_REVIEW = JobSpec(
    "slo-review",
    "Weekly SLO review with burn-down chart, to Slack, email or a severity",
    _schedule,
    _review,
    "week",
    calls=("cloudwatch:GetMetricData", *REPORT_CALLS),
    reads_inventory=True,  # SLOs templated over resources
)
