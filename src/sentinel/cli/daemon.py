"""``sentinel daemon``, ``sentinel daemon --once JOB`` and ``sentinel daemon status``."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import click

from sentinel.aws.accounts import check_account
from sentinel.cli.options import Workspace, common_options
from sentinel.cli.telemetry import metrics_options, refuse_with, start_telemetry
from sentinel.daemon import LEASE_SECONDS

if TYPE_CHECKING:
    from sentinel.daemon.ledger import Run


@click.group(invoke_without_command=True)
@common_options
@click.option("--once", "once", metavar="JOB", default=None, help="Run one job now, then exit.")
@click.option("--force", is_flag=True, help="With --once: run even if it ran for this period.")
@click.option(
    "--lease",
    type=click.FloatRange(min=1),
    default=LEASE_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="How long a running job's claim lasts unrenewed (renewed every third of it): another "
    "daemon on the store takes the job over once it has passed.",
)
@metrics_options
@click.pass_context
def daemon(
    ctx: click.Context,
    ws: Workspace,
    once: str | None,
    force: bool,
    lease: float,
    metrics_port: int,
    metrics_host: str,
) -> None:
    """Run the scheduled jobs of monitors/ (cost report, anomaly scan, ...) until stopped.

    Cron schedules in the project's time zone, a job store and run ledger in the project's store
    (.sentinel/sentinel.db by default): a restart never runs a job twice for one period, and a
    daemon that was down catches up once. Several daemons may share one store (on one host or
    more): each job still runs once per period, and a job whose daemon died is taken over by
    another within the lease and a third. SIGTERM stops it after the running job. With
    --metrics-port, serves Prometheus metrics and a health check; with `self_monitoring:` in
    sentinel.yaml, publishes a heartbeat to CloudWatch every minute.
    """
    if ctx.invoked_subcommand is not None:
        return
    if once is not None:
        refuse_with("--once", metrics_port)
    from sentinel.daemon.registry import job_named
    from sentinel.daemon.scheduler import Daemon
    from sentinel.store import open_store

    config = ws.load_config()
    check_account(ws.factory, config)
    runner = Daemon(config, ws.factory, open_store(config), lease=timedelta(seconds=lease))
    if once is None:
        _logging(ws)
        jobs = runner.configured()
        if not jobs:
            ws.err.print("No job is configured in monitors/: nothing to schedule.")
            sys.exit(1)
        from sentinel.telemetry.process import watch_daemon

        telemetry, _metrics = watch_daemon(runner, ws.counter)
        with telemetry:
            region = ws.region or config.project.regions[0]
            start_telemetry(telemetry, ws, config, region, metrics_host, metrics_port)
            ws.err.print(
                f"Sentinel daemon for {config.name} ({config.project.timezone}): "
                + ", ".join(f"{spec.name} [{cron}]" for spec, cron in jobs)
            )
            runner.run_forever()
        return
    job_named(once)  # an unknown name is a user error, listed with the known ones
    outcome = runner.run_job(once, force=force)
    color = {"succeeded": "green", "failed": "red"}.get(outcome.status, "yellow")
    ws.console.print(
        f"{outcome.job} ({outcome.period}): [{color}]{outcome.status}[/]: {outcome.summary}"
    )
    if outcome.status == "failed":
        sys.exit(1)


@daemon.command()
@common_options
def status(ws: Workspace) -> None:
    """Jobs with their schedule, next run, last result and the daemon running them now (until
    when its lease lasts); deliveries waiting to be sent."""
    from rich.table import Table

    from sentinel.daemon.scheduler import Daemon
    from sentinel.store import open_store

    config = ws.load_config()
    runner = Daemon(config, ws.factory, open_store(config))
    table = Table(
        title=f"Daemon jobs of {config.name} ({config.project.timezone})", title_justify="left"
    )
    for column in ("job", "schedule", "next run", "last run", "running on"):
        table.add_column(column, no_wrap=True)
    table.add_column("result", overflow="fold")
    for state in runner.status():
        last = state.last
        when = f"{last.started_at:%Y-%m-%d %H:%M} UTC ({last.period})" if last else "never"
        result = f"{last.status}: {last.summary or ''}" if last else ""
        table.add_row(
            state.name,
            state.schedule or "not configured",
            f"{state.next_run:%Y-%m-%d %H:%M %Z}" if state.next_run else "-",
            when,
            _holder(state.running, runner.now()),
            result,
        )
    ws.console.print(table)
    pending = runner.pending_deliveries()
    ws.console.print(f"Deliveries waiting to be sent: {pending}")


def _holder(run: Run | None, now: datetime) -> str:
    """Who runs the job now and until when its lease lasts (times in UTC, as the store's)."""
    if run is None:
        return "-"
    holder = run.holder or "a daemon without a lease"
    if run.lease_until is None:
        return holder
    moment = now.astimezone(UTC).replace(tzinfo=None)
    said = "lease until" if not run.lease_expired(moment) else "lease passed at"
    return f"{holder} ({said} {run.lease_until:%H:%M:%S} UTC)"


def _logging(ws: Workspace) -> None:
    from rich.logging import RichHandler

    handler = RichHandler(console=ws.err, show_path=False, markup=False)
    logging.basicConfig(level=logging.INFO, handlers=[handler], format="%(message)s", force=True)
    for noisy in ("apscheduler", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
