"""The cost jobs of the daemon: the daily and weekly reports, the anomaly scan, deliveries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sentinel.cost.delivery import deliver_report
from sentinel.cost.money import usd
from sentinel.cost.notices import notify_anomalies
from sentinel.cost.runs import SCAN_DAYS, run_report, run_scan, run_weekly_report, weekly_zone
from sentinel.cost.weekly import last_full_week
from sentinel.daemon.registry import JobContext, JobSpec, require_data
from sentinel.delivery.calls import REPORT_CALLS
from sentinel.delivery.outcome import DeliveryResult
from sentinel.delivery.senders import senders
from sentinel.store.outbox import Outbox

DELIVERY_SCHEDULE = "*/5 * * * *"


def _report(context: JobContext) -> str:
    day = context.scheduled.date() - timedelta(days=1)
    report = run_report(context.config, context.factory, context.store, day, deliver=False).report
    # A report with gaps is not posted: the run fails and is retried (the cache keeps the days
    # it did read), so nobody reads "spend n/a" for a day whose data exists.
    require_data(report.missing, f"report for {day} not posted")
    delivery = deliver_report(report, context.config, context.store, context.factory)
    parts = [f"report for {day}: spend {usd(report.yesterday.current)}"]
    parts += [_delivered(d) for d in delivery]
    parts.append(
        f"{_count(len(report.anomalies), 'anomaly', 'anomalies')}, "
        f"{report.ce_requests} Cost Explorer requests"
    )
    if report.missing:
        parts.append(f"{len(report.missing)} data gaps")
    return "; ".join(parts)


def _weekly(context: JobContext) -> str:
    zone = ZoneInfo(weekly_zone(context.config))
    monday, sunday = last_full_week(context.scheduled.astimezone(zone).date())
    run = run_weekly_report(context.config, context.factory, context.store, monday)
    report = run.report
    require_data(report.missing, f"weekly report for {report.week} not posted")
    assert run.deliveries is not None
    return "; ".join(
        [
            f"weekly report for {report.week} ({monday} to {sunday}): "
            f"spend {usd(report.total.current)}",
            *[_delivered(d) for d in run.deliveries],
            f"{report.ce_requests} Cost Explorer requests",
        ]
    )


def _delivered(delivery: DeliveryResult) -> str:
    if delivery.status == "not configured":
        if delivery.kind != "slack":
            return f"not sent to {delivery.target} ({delivery.detail})"
        return f"not posted, Slack not configured ({delivery.detail})"
    detail = f" ({delivery.detail})" if delivery.detail else ""
    return f"{delivery.status} to {delivery.target}{detail}"


def _scan(context: JobContext) -> str:
    end = context.scheduled.date() - timedelta(days=1)
    run = run_scan(context.config, context.factory, context.store, SCAN_DAYS, end)
    require_data(run.scan.missing, f"anomaly scan to {end} not announced")
    notices = notify_anomalies(context.config, context.store, context.factory, run.scan.anomalies)
    found = _count(len(run.scan.anomalies), "anomaly", "anomalies")
    text = f"{found} from {run.scan.start} to {run.scan.end}"
    if notices.unannounced:
        text += ", not announced: no destination"
    else:
        text += f": {len(notices.new)} new, {len(notices.updated)} updated"
    if notices.queued:
        text += f", {len(notices.queued)} notices queued for retry"
    if notices.skipped:
        text += "; " + "; ".join(notices.skipped)
    return text


def _deliveries(context: JobContext) -> str:
    outbox = Outbox(context.store)
    result = outbox.flush(senders(context.factory, outbox))
    text = f"{len(result.delivered)} delivered"
    if result.failed:
        text += f", {len(result.failed)} still failing ({result.failed[0][1]})"
    if result.given_up:
        text += f", {len(result.given_up)} given up ({result.given_up[0][1]})"
    return text


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _report_schedule(config: Any) -> str | None:
    return config.cost_report.schedule if config.cost_report else None


def _weekly_schedule(config: Any) -> str | None:
    report = config.cost_report
    return report.weekly.cron if report and report.weekly else None


def _scan_schedule(config: Any) -> str | None:
    return config.anomaly_detection.schedule if config.anomaly_detection else None


# Notices go to a severity's SNS topic, found by name.
_NOTICE_CALLS = ("sns:ListTopics", "sns:Publish")
# What the daily and the weekly report read (costs, forecast, commitments, budgets) and send.
_REPORT_READS = (
    "ce:GetCostAndUsage",
    "ce:GetCostForecast",
    "ce:GetReservationUtilization",
    "ce:GetReservationCoverage",
    "ce:GetSavingsPlansUtilization",
    "ce:GetSavingsPlansCoverage",
    "budgets:DescribeBudgets",
    *REPORT_CALLS,
)
COST_REPORT = JobSpec(
    "cost-report",
    "Daily cost report, to Slack, email or a severity",
    _report_schedule,
    _report,
    period="day",
    calls=_REPORT_READS,
)
WEEKLY_REPORT = JobSpec(
    "cost-report-weekly",
    "Weekly cost report (the last full week), to Slack, email or a severity",
    _weekly_schedule,
    _weekly,
    period="week",
    calls=_REPORT_READS,
    timezone=lambda config: weekly_zone(config),
)
ANOMALY_SCAN = JobSpec(
    "anomaly-scan",
    "Cost anomaly scan and notices",
    _scan_schedule,
    _scan,
    period="day",
    calls=("ce:GetCostAndUsage", *_NOTICE_CALLS),
)
DELIVERIES = JobSpec(
    "deliveries",
    "Send reports and notices that could not be delivered yet",
    lambda config: DELIVERY_SCHEDULE,
    _deliveries,
    period="run",
    calls=("ses:SendRawEmail", "sns:Publish"),
)
