"""The daemon watched: job runs and failures per job, Cost Explorer requests and dollars on
/metrics; /healthz while the scheduler runs."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from cost.bills import bill as make_bill
from cost.slack_standin import SlackStandIn
from sentinel.aws.session import COST_EXPLORER, SessionFactory
from sentinel.cli import main
from sentinel.config.loader import Config
from sentinel.daemon.registry import JobContext, JobSpec, registered_jobs
from sentinel.daemon.scheduler import Daemon
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store
from sentinel.telemetry.process import watch_daemon

from .conftest import london

pytestmark = pytest.mark.real_clock  # the scheduler's loop waits on timed Events


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def healthz(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def broken(context: JobContext) -> str:
    raise RuntimeError("the job's bug")


def test_job_runs_failures_and_cost_explorer_requests_are_counted(
    aws: SessionFactory, config: Config, store: Store, slack: SlackStandIn
) -> None:
    load_cost_table(make_bill(date(2026, 3, 10)))
    jobs = {
        **registered_jobs(),
        "broken": JobSpec("broken", "fails", lambda config: "0 6 * * *", broken),
    }
    daemon = Daemon(config, aws, store, jobs)
    telemetry, _metrics = watch_daemon(daemon, aws.counter)
    with telemetry, time_machine.travel(london(10, 9, 0, 5), tick=True):
        server = telemetry.serve(0)
        assert daemon.run_job("cost-report").status == "succeeded"
        assert daemon.run_job("cost-report").status == "skipped"  # done for the day: not a run
        assert daemon.run_job("broken").status == "failed"
        found = scrape(server.url)

    runs, failures = "sentinel_daemon_jobs_run_total", "sentinel_daemon_jobs_failed_total"
    assert found[(runs, (("job", "cost-report"),))] == 1
    assert found[(failures, (("job", "cost-report"),))] == 0
    assert found[(runs, (("job", "broken"),))] == 1
    assert found[(failures, (("job", "broken"),))] == 1
    # Every configured job is listed from the start, at zero until it runs.
    assert found[(runs, (("job", "anomaly-scan"),))] == 0
    requests = aws.counter.total(COST_EXPLORER)
    assert requests > 0
    assert found[("sentinel_cost_explorer_requests_total", ())] == requests
    assert found[("sentinel_cost_explorer_dollars_total", ())] == pytest.approx(requests * 0.01)
    [(_name, labels)] = [key for key in found if key[0] == "sentinel_build_info"]
    assert dict(labels)["component"] == "daemon"


def test_healthz_follows_the_scheduler_from_start_to_stop(
    aws: SessionFactory, config: Config, store: Store
) -> None:
    daemon = Daemon(config, aws, store, {})
    telemetry, _metrics = watch_daemon(daemon, aws.counter)
    with telemetry:
        server = telemetry.serve(0)
        status, health = healthz(server.url)
        assert (status, health["status"]) == (503, "starting")
        daemon.start()
        status, health = healthz(server.url)
        assert (status, health["status"], health["component"]) == (200, "ok", "daemon")
        daemon.request_stop()
        status, health = healthz(server.url)
        assert (status, health["status"]) == (503, "stopping")
        daemon.stop()


def test_a_metrics_port_in_use_or_with_once_exits_1(aws: SessionFactory, config_dir: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = CliRunner().invoke(
            main, ["daemon", "-C", str(config_dir), "--metrics-port", str(port)]
        )
    assert result.exit_code == 1
    assert f"error: --metrics-port {port}: cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output

    once = CliRunner().invoke(
        main, ["daemon", "-C", str(config_dir), "--once", "cost-report", "--metrics-port", "9101"]
    )
    assert once.exit_code == 1
    assert "--metrics-port watches a running service: not with --once" in once.output
