"""The daemon through restarts, a missed day and SIGTERM, with the clock driven."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from sqlalchemy import text

from cost.bills import bill as make_bill
from cost.slack_standin import SlackStandIn
from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.config.loader import Config
from sentinel.daemon.ledger import RunLedger
from sentinel.daemon.registry import JobContext, JobSpec, registered_jobs
from sentinel.daemon.scheduler import JOBS_TABLE, Daemon
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store, open_store

from .conftest import LONDON, london, wait_until

# The scheduler's loop waits on timed Events, which hang under libfaketime; these tests pin
# their own clock (time-machine, March 2026), so the machine's date never reaches them.
pytestmark = pytest.mark.real_clock


class Probe:
    """A daily 09:00 job that records the periods it ran for."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.periods: list[str] = []
        self.started = threading.Event()
        self.seconds = seconds

    def run(self, context: JobContext) -> str:
        self.started.set()
        time.sleep(self.seconds)
        self.periods.append(context.period)
        return f"ran for {context.period}"

    def jobs(self) -> dict[str, JobSpec]:
        return {"probe": JobSpec("probe", "test job", lambda config: "0 9 * * *", self.run)}


def settled(daemon: Daemon) -> bool:
    """Whether the scheduler has handed out every due run: each job's next run is ahead."""
    assert daemon.scheduler is not None
    now = daemon.now()
    return all(job.next_run_time > now for job in daemon.scheduler.get_jobs())


def run_daemon(daemon: Daemon) -> None:
    """Start, let the scheduler hand out whatever is due, stop once the running jobs finished."""
    daemon.start()
    wait_until(lambda: settled(daemon))
    daemon.stop()


def test_restart_and_a_missed_day_never_run_a_period_twice(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    probe = Probe()
    with time_machine.travel(london(10, 8, 59, 59.7), tick=True) as clock:
        daemon = Daemon(config, aws, store, probe.jobs())
        daemon.start()
        wait_until(lambda: probe.periods == ["2026-03-10"])
        daemon.stop()

        # Restarted at 09:30 the same day: the 09:00 run is done, nothing runs.
        clock.move_to(london(10, 9, 30))
        run_daemon(Daemon(config, aws, store, probe.jobs()))
        assert probe.periods == ["2026-03-10"]

        # Down over a day (11 March missed): one catch-up on the 12th, not one per missed run.
        clock.move_to(london(12, 10, 0))
        daemon = Daemon(config, aws, store, probe.jobs())
        daemon.start()
        wait_until(lambda: len(probe.periods) == 2 and settled(daemon))
        daemon.stop()
    assert probe.periods == ["2026-03-10", "2026-03-12"]
    runs = RunLedger(store).runs("probe")
    assert [(r.period, r.status) for r in runs] == [
        ("2026-03-10", "succeeded"),
        ("2026-03-12", "succeeded"),
    ]


def test_a_daemon_down_at_nine_posts_once_when_restarted_at_half_past(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    probe = Probe()
    with time_machine.travel(london(10, 8, 0), tick=True) as clock:
        run_daemon(Daemon(config, aws, store, probe.jobs()))
        assert probe.periods == []
        clock.move_to(london(10, 9, 30))
        daemon = Daemon(config, aws, store, probe.jobs())
        daemon.start()
        wait_until(lambda: probe.periods == ["2026-03-10"])
        daemon.stop()
        clock.move_to(london(10, 9, 45))
        run_daemon(Daemon(config, aws, store, probe.jobs()))
    assert probe.periods == ["2026-03-10"]


def test_the_ledger_stops_a_second_run_when_the_job_store_lags(
    aws: SessionFactory, config: Config, backend_store: Store
) -> None:
    store = backend_store  # APScheduler's job store and the ledger, on SQLite and PostgreSQL
    probe = Probe()
    with time_machine.travel(london(10, 8, 59, 59.7), tick=True) as clock:
        daemon = Daemon(config, aws, store, probe.jobs())
        daemon.start()
        wait_until(lambda: probe.periods == ["2026-03-10"])
        daemon.stop()
        # As if the process had died before the job store saved the next run time.
        with store.engine.begin() as db:
            db.execute(
                text(f"UPDATE {JOBS_TABLE} SET next_run_time = :t WHERE id = 'probe'"),
                {"t": london(10, 9).timestamp()},
            )
        clock.move_to(london(10, 9, 10))
        run_daemon(Daemon(config, aws, store, probe.jobs()))
    assert probe.periods == ["2026-03-10"]
    last = RunLedger(store).last("probe")
    assert last is not None and last.summary == "ran for 2026-03-10"


def test_sigterm_stops_after_the_running_job(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    probe = Probe(seconds=1.0)
    previous = signal.getsignal(signal.SIGTERM)
    with time_machine.travel(london(10, 8, 59, 59.8), tick=True):
        daemon = Daemon(config, aws, store, probe.jobs())

        def terminate() -> None:
            probe.started.wait(10)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=terminate, daemon=True).start()
        daemon.run_forever()
        # run_forever returned: the job it was running had finished, and was recorded.
        assert probe.periods == ["2026-03-10"]
    run = RunLedger(store).get("probe", "2026-03-10")
    assert run is not None and run.status == "succeeded"
    assert daemon.scheduler is not None and not daemon.scheduler.running
    assert signal.getsignal(signal.SIGTERM) == previous


def test_the_cost_report_job_posts_once_through_restarts_and_once(
    aws: SessionFactory, config: Config, config_dir: Path, slack: SlackStandIn
) -> None:
    load_cost_table(make_bill(date(2026, 3, 10)))
    store = open_store(config)  # the project's store, which the CLI opens too
    jobs = registered_jobs()
    assert {"cost-report", "anomaly-scan", "deliveries"} <= set(jobs)
    with time_machine.travel(london(10, 8, 59, 59.5), tick=True) as clock:
        daemon = Daemon(config, aws, store, jobs)
        daemon.start()
        wait_until(
            lambda: (
                RunLedger(store).get("cost-report", "2026-03-10") is not None
                and RunLedger(store).get("cost-report", "2026-03-10").status == "succeeded"
            ),
            30,
        )
        daemon.stop()
        [posted] = slack.posted()
        assert posted["channel"] == "#shop-finops"
        assert posted["blocks"][0]["text"]["text"] == "shop: AWS cost for Mon 09 Mar 2026"
        assert len(slack.calls("files.completeUploadExternal")) == 1

        clock.move_to(london(10, 9, 30))
        run_daemon(Daemon(config, aws, store, jobs))
        result = CliRunner().invoke(
            main, ["daemon", "--once", "cost-report", "-C", str(config_dir)]
        )
        assert (
            "cost-report (2026-03-10): skipped: already succeeded for 2026-03-10" in result.output
        )
        status = CliRunner().invoke(
            main, ["daemon", "status", "-C", str(config_dir)], env={"COLUMNS": "200"}
        )
    assert len(slack.posted()) == 1
    summary = RunLedger(store).get("cost-report", "2026-03-10")
    assert summary is not None and "posted to #shop-finops" in (summary.summary or "")
    assert status.exit_code == 0
    assert re.search(r"cost-report\s+│ 0 9 \* \* \*\s+│ 2026-03-11 09:00 GMT", status.output)
    assert "succeeded: report for 2026-03-09" in status.output


def test_status_before_the_daemon_ever_ran(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    with time_machine.travel(london(10, 12, 0), tick=False):
        states = {s.name: s for s in Daemon(config, aws, store).status()}
    assert states["cost-report"].next_run == london(11, 9).astimezone(LONDON)
    assert states["anomaly-scan"].next_run == london(11, 8, 30)
    assert states["cost-report"].last is None
    assert states["deliveries"].schedule == "*/5 * * * *"
    assert timedelta(0) <= states["deliveries"].next_run - london(10, 12, 0) < timedelta(minutes=5)


def test_once_with_an_unknown_job_names_the_known_ones(
    aws: SessionFactory, config_dir: Path
) -> None:
    result = CliRunner().invoke(main, ["daemon", "--once", "cost-reprot", "-C", str(config_dir)])
    assert result.exit_code == 1
    assert (
        "unknown job 'cost-reprot': known jobs are anomaly-scan, cost-report, cost-report-weekly, "
        "deliveries" in result.output
    )


def test_the_deliveries_job_posts_what_slack_refused_and_the_scan_announces(
    aws: SessionFactory, config: Config, store: Store, slack: SlackStandIn
) -> None:
    rds_tags = {
        "Environment": "production",
        "Service": "database",
        "Owner": "team-data",
        "CostCenter": "eng-200",
    }
    extra = [(1, "Amazon Relational Database Service", "RDS:StorageIOUsage", 150.0, rds_tags)]
    load_cost_table(make_bill(date(2026, 3, 10), extra=extra))
    slack.fail("chat.postMessage", 3, status=503)
    with time_machine.travel(london(10, 9, 0, 1), tick=True) as clock:
        daemon = Daemon(config, aws, store)
        report = daemon.run_job("cost-report")
        assert report.status == "succeeded"
        assert "queued to #shop-finops (Slack: answered 503" in report.summary
        assert slack.posted() == []
        clock.move_to(london(10, 9, 5))
        delivered = daemon.run_job("deliveries")
        assert delivered.summary == "1 delivered"
        assert [p["channel"] for p in slack.posted()] == ["#shop-finops"]
        scan = daemon.run_job("anomaly-scan")
        assert scan.summary == "1 anomaly from 2026-03-03 to 2026-03-09: 1 new, 0 updated; " + (
            "SNS topic shop-warning does not exist (sentinel apply creates it)"
        )
        assert [p["channel"] for p in slack.posted()] == ["#shop-finops", "#shop-alerts"]
        assert daemon.run_job("deliveries").summary == "0 delivered"
