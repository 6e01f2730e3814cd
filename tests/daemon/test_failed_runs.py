"""A job whose data could not be read fails, posts nothing, and is retried for its period."""

from __future__ import annotations

import socket
from datetime import date
from typing import Any

import pytest
import time_machine
from moto.ce.responses import CostExplorerResponse

from cost.bills import bill as make_bill
from cost.slack_standin import SlackStandIn
from sentinel.aws.session import SessionFactory
from sentinel.config.loader import Config
from sentinel.daemon.ledger import RunLedger
from sentinel.daemon.registry import registered_jobs
from sentinel.daemon.scheduler import RETRY_DELAYS, Daemon
from sentinel.emulator.extensions.costexplorer import (
    CostExplorerServiceError,
    load_cost_table,
)
from sentinel.store import Store

from .conftest import london, wait_until


class CostExplorerOutage:
    """GetCostAndUsage answers an error while ``down``; the emulator's answer otherwise."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.down = True
        self.refused = 0
        serve = CostExplorerResponse.get_cost_and_usage

        def get_cost_and_usage(response: CostExplorerResponse) -> Any:
            if self.down:
                self.refused += 1
                raise CostExplorerServiceError(
                    "DataUnavailableException", "Cost Explorer could not serve the request"
                )
            return serve(response)

        monkeypatch.setattr(CostExplorerResponse, "get_cost_and_usage", get_cost_and_usage)


def _status(store: Store, job: str, period: str) -> str | None:
    run = RunLedger(store).get(job, period)
    return run.status if run else None


# The running scheduler's timed waits hang under libfaketime, as in test_scheduler.py.
@pytest.mark.real_clock
def test_a_cost_explorer_error_fails_the_report_and_the_daemon_retries_it(
    aws: SessionFactory,
    config: Config,
    store: Store,
    slack: SlackStandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_cost_table(make_bill(date(2026, 3, 10)))
    outage = CostExplorerOutage(monkeypatch)
    jobs = {"cost-report": registered_jobs()["cost-report"]}
    with time_machine.travel(london(10, 8, 59, 59.5), tick=True) as clock:
        daemon = Daemon(config, aws, store, jobs)
        daemon.start()
        wait_until(lambda: _status(store, "cost-report", "2026-03-10") == "failed", 30)
        daemon.stop()
        failed = RunLedger(store).get("cost-report", "2026-03-10")
        assert failed is not None and failed.summary is not None
        assert failed.summary.startswith(
            "report for 2026-03-09 not posted: data could not be read: "
        )
        assert "DataUnavailableException: Cost Explorer could not serve the request" in (
            failed.summary
        )
        assert failed.summary.endswith("; retry 1 at 09:05 GMT")
        assert "spend n/a" not in failed.summary
        assert slack.posted() == [] and outage.refused > 0
        status = {s.name: s for s in Daemon(config, aws, store, jobs).status()}
        next_run = status["cost-report"].next_run
        assert next_run is not None and london(10, 9, 5) <= next_run < london(10, 9, 6)

        # Cost Explorer answers again; the daemon, restarted after the retry was due, retries.
        outage.down = False
        clock.move_to(london(10, 9, 6))
        daemon = Daemon(config, aws, store, jobs)
        daemon.start()
        wait_until(lambda: _status(store, "cost-report", "2026-03-10") == "succeeded", 30)
        daemon.stop()
    run = RunLedger(store).get("cost-report", "2026-03-10")
    assert run is not None and run.attempts == 2
    assert run.summary is not None and run.summary.startswith("report for 2026-03-09: spend $")
    [posted] = slack.posted()
    assert posted["channel"] == "#shop-finops"


def test_an_unreachable_endpoint_fails_the_report_and_the_scan_and_announces_nothing(
    aws: SessionFactory, config: Config, store: Store, slack: SlackStandIn
) -> None:
    with socket.socket() as probe:  # a port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = SessionFactory(
        session=aws.session(),
        region="us-east-1",
        endpoint_url=f"http://127.0.0.1:{port}",
        max_attempts=1,
    )
    daemon = Daemon(config, unreachable, store)
    with time_machine.travel(london(10, 9, 0, 1), tick=False):
        report = daemon.run_job("cost-report")
        scan = daemon.run_job("anomaly-scan")

    assert (report.status, scan.status) == ("failed", "failed")
    # An endpoint that does not answer ends the run with the one-line AWS failure.
    for outcome in (report, scan):
        assert outcome.summary.startswith("AWS did not answer (ce:GetCostAndUsage in us-east-1)")
    assert _status(store, "cost-report", "2026-03-10") == "failed"
    assert _status(store, "anomaly-scan", "2026-03-10") == "failed"
    assert slack.posted() == []
    # --once has no scheduler to retry with: the run says failed, and a later run may claim it.
    assert "retry" not in report.summary
    assert len(RETRY_DELAYS) == 5
