"""``sentinel route`` (the alert router) and ``sentinel oncall`` (who is on call now and next)."""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from types import FrameType
from zoneinfo import ZoneInfo

import click

from sentinel import clock
from sentinel.aws.accounts import check_account
from sentinel.cli.moment import at_option, parse_at
from sentinel.cli.options import Workspace, common_options
from sentinel.cli.telemetry import metrics_options, refuse_with, start_telemetry
from sentinel.errors import SentinelError
from sentinel.routing.consumer import LONG_POLL, RunReport
from sentinel.routing.noise import active_occurrences, window_zone
from sentinel.routing.oncall import OnCallReport, Shift
from sentinel.routing.router import Decision
from sentinel.routing.wording import STATE_WORDS, place

# Libraries that log every HTTP request at INFO; the router reports what matters itself.
_CHATTY = ("httpx2", "httpx", "botocore", "urllib3", "slack_sdk")


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)


def render_decision(decision: Decision) -> str:
    """One line per decision: when, what, which alarm, and where it went or why not."""
    at = (decision.finished_at or clock.now()).astimezone().strftime("%H:%M:%S")
    alert = decision.alert
    subject = ""
    if alert is not None:
        subject = f" {decision.severity or '?'} {STATE_WORDS[alert.state]} {alert.name}"
        subject += f" in {where}" if (where := place(alert)) else ""
    elif decision.severity:
        subject = f" {decision.severity}"
    if decision.sent:
        detail = ", ".join(f"{label} {action}" for label, action in decision.sent)
        detail = f" -> {detail}"
    else:
        detail = ""
    if decision.held_until is not None:
        detail += f" until {decision.held_until.astimezone().strftime('%Y-%m-%d %H:%M %Z')}"
    if decision.reason:
        detail += f" ({decision.reason})"
    return f"{at} {decision.action}{subject}{detail}"


def render_summary(report: RunReport) -> str:
    counts = ", ".join(f"{n} {action}" for action, n in sorted(report.actions.items()))
    return f"{report.received} message(s) received" + (f": {counts}" if counts else "")


@contextmanager
def _stop_on_signals(stop: threading.Event, ws: Workspace) -> Iterator[None]:
    """SIGTERM or Ctrl-C: finish the message in hand, hand the rest back, exit. Twice: now."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        ws.err.print(f"{signal.Signals(signum).name}: finishing the message in hand, then stopping")
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@click.command("route")
@common_options
@click.option(
    "--drain",
    "--once",
    "drain",
    is_flag=True,
    help="Handle what is queued now (and held alerts already due), then exit.",
)
@click.option(
    "--store",
    default=None,
    help="SQLAlchemy URL of the router state (default: $SENTINEL_STORE, else sentinel.yaml's).",
)
@click.option(
    "--wait",
    type=click.IntRange(1, LONG_POLL),
    default=LONG_POLL,
    show_default=True,
    help="Long-polling wait in seconds.",
)
@click.option(
    "--pagerduty-rate",
    type=click.FloatRange(min=1),
    default=None,
    help="PagerDuty events per minute per integration key (default 120).",
)
@metrics_options
def route(
    ws: Workspace,
    drain: bool,
    store: str | None,
    wait: int,
    pagerduty_rate: float | None,
    metrics_port: int,
    metrics_host: str,
) -> None:
    """Deliver alarms from the router queue to PagerDuty, Slack and email.

    Reads the queue that `sentinel apply` subscribed to every severity topic, applies on-call,
    quiet hours, maintenance windows and flapping control, and deletes a message only once every
    destination accepted it. Stops cleanly on SIGTERM or Ctrl-C. With --metrics-port, serves
    Prometheus metrics and a health check; with `self_monitoring:` in sentinel.yaml, publishes a
    heartbeat to CloudWatch every minute.
    """
    from sentinel.routing.central import router_factory
    from sentinel.routing.service import RateLimit, build_consumer, build_router
    from sentinel.store import Store, store_url
    from sentinel.telemetry.process import watch_router

    if drain:
        refuse_with("--drain", metrics_port)
    _logging(ws.verbose)
    config = ws.load_config()
    factory = ws.factory
    factory.region = ws.region or config.project.regions[0]
    central = router_factory(config, factory)  # several accounts: the one central queue
    if central is not None:
        factory = central
    else:
        check_account(factory, config)
    state_store = Store(store_url(store or config.project.store, config.root))
    rate = RateLimit(per_minute=pagerduty_rate) if pagerduty_rate else None
    router = build_router(config, factory, store=state_store, rate=rate)
    consumer = build_consumer(
        config, factory, router, on_decision=lambda d: click.echo(render_decision(d))
    )
    try:
        if drain:
            report = consumer.drain()
        else:
            stop = threading.Event()
            telemetry, _metrics = watch_router(consumer, stop, wait)
            with telemetry:
                start_telemetry(telemetry, ws, config, factory.region, metrics_host, metrics_port)
                ws.err.print(f"Routing from queue {consumer.queue.name} (Ctrl-C to stop)")
                with _stop_on_signals(stop, ws):
                    report = consumer.run(stop, wait=wait)
    finally:
        state_store.dispose()
    ws.err.print(render_summary(report))


def _shift_json(shift: Shift | None) -> dict[str, object] | None:
    if shift is None:
        return None
    return {
        "name": shift.person.name,
        "email": shift.person.email,
        "slack": shift.person.slack,
        "start": shift.start.isoformat(),
        "end": shift.end.isoformat(),
        "source": shift.source,
    }


def render_oncall(report: OnCallReport) -> list[str]:
    tz = ZoneInfo(report.timezone)

    def when(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")

    def line(label: str, shift: Shift | None, nobody: str) -> str:
        if shift is None:
            return f"{label:<12}{nobody}"
        who = shift.person.name + (f" <{shift.person.email}>" if shift.person.email else "")
        span = (
            f"from {when(shift.start)}" if label.startswith("Next") else f"until {when(shift.end)}"
        )
        source = {"override": " (override)", "pagerduty": " (PagerDuty)"}.get(shift.source, "")
        return f"{label:<12}{who}, {span}{source}"

    lines = [
        f"At {when(report.at)}",
        line("On call:", report.current, "nobody (the rotation has not started)"),
        line("Next:", report.next, "nobody scheduled"),
    ]
    if report.escalation:
        lines.append(f"{'Escalation:':<12}{report.escalation}")
    return lines


@click.command("oncall")
@common_options
@at_option
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
def oncall(ws: Workspace, at: str | None, as_json: bool) -> None:
    """Who is on call now (or --at a time) and who is next, from routing.yaml or PagerDuty."""
    from sentinel.routing.service import on_call_report

    config = ws.load_config()
    if config.routing is None or config.routing.oncall is None:
        raise SentinelError(
            "no on-call in alarms/routing.yaml: add `oncall:` with members and a rotation"
        )
    tz = config.routing.oncall.timezone or config.project.timezone
    report = on_call_report(config, parse_at(at, tz))
    assert report is not None
    project_tz = ZoneInfo(config.project.timezone)
    windows = active_occurrences(config.routing.maintenance, report.at, project_tz)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "at": report.at.isoformat(),
                    "timezone": report.timezone,
                    "current": _shift_json(report.current),
                    "next": _shift_json(report.next),
                    "escalation": report.escalation,
                    "maintenance": [
                        {
                            "name": o.window.name,
                            "alarms": o.window.alarms,
                            "start": o.start.isoformat(),
                            "end": o.end.isoformat(),
                            "reason": o.window.reason,
                        }
                        for o in windows
                    ],
                },
                indent=2,
            )
        )
        return
    for text in render_oncall(report):
        ws.console.print(text)
    for occurrence in windows:
        end = occurrence.end.astimezone(window_zone(occurrence.window, project_tz))
        ws.console.print(
            f"Maintenance: {occurrence.window.name} holds "
            f"{', '.join(occurrence.window.alarms)} until {end:%a %Y-%m-%d %H:%M %Z}"
            + (f" ({occurrence.window.reason})" if occurrence.window.reason else ""),
            markup=False,
            soft_wrap=True,
        )
