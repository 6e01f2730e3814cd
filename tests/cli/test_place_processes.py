"""Places planned in forked processes: the same plans, output and counted calls as in threads,
the places shared out evenly."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from cli.test_accounts_fanout import MEMBERS, ROUTING, listed, make_role, project, run
from sentinel.aws.places import Place
from sentinel.aws.session import SessionFactory
from sentinel.cli import fanout, place_processes
from sentinel.cli.place_processes import shares
from sync.shop import write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

ALARMS = """\
alarms:
  - name: queue-{n}
    severity: critical
    namespace: AWS/SQS
    metric: ApproximateNumberOfMessagesVisible
    dimensions: {{QueueName: q-{n}}}
    statistic: Maximum
    condition: "> 1000"
    for: 15m
"""


def places(accounts: dict[str, int]) -> list[Place]:
    return [
        Place(account, account, f"region-{n}")
        for account, count in accounts.items()
        for n in range(count)
    ]


def test_the_places_are_shared_out_evenly_in_runs() -> None:
    assert shares(places({"a": 3, "b": 3, "c": 3, "d": 1}), 2) == [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    assert shares(places({"a": 3, "b": 3}), 2) == [[0, 1, 2], [3, 4, 5]]
    assert shares(places({"a": 3}), 2) == [[0, 1], [2]]
    assert shares(places({"a": 1}), 4) == [[0]]


def test_at_most_one_process_a_core_and_a_place_and_parallel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    assert place_processes.processes_for(places({"a": 3, "b": 3}), 8) == 4
    assert place_processes.processes_for(places({"a": 3}), 8) == 3
    assert place_processes.processes_for(places({"a": 3, "b": 3}), 2) == 2
    assert place_processes.processes_for(places({"a": 3, "b": 3}), 1) == 1


@pytest.fixture
def estate(aws: SessionFactory, tmp_path: Path) -> Path:
    """The project applied in three accounts and two regions, then a rule added."""
    for account in MEMBERS.values():
        make_role(account)
    files = {
        "sentinel.yaml": project(listed(MEMBERS)),
        "alarms/routing.yaml": ROUTING,
        "alarms/queues.yaml": ALARMS.format(n=1),
    }
    root = write_config(tmp_path / "estate", files)
    assert run("apply", "-C", str(root), "--auto-approve").exit_code == 0
    (root / "alarms/queues.yaml").write_text(ALARMS.format(n=1) + ALARMS.format(n=2)[8:])
    return root


def test_a_plan_in_processes_is_the_plan_in_threads(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    forked = run("plan", "-C", str(estate), "-v", "--detailed-exitcode")
    monkeypatch.setattr(place_processes, "processes_for", lambda *_: 1)
    threaded = run("plan", "-C", str(estate), "-v", "--detailed-exitcode")

    assert forked.exit_code == threaded.exit_code == 2, forked.output
    assert forked.stdout == threaded.stdout
    assert forked.stdout.count("+ alarm shop-queue-2") == 6
    # The calls the processes made are counted, as the threads' are; the account whose places
    # two processes share assumes its role in each.
    calls, threads_calls = counted(forked.stderr), counted(threaded.stderr)
    assert calls["DescribeAlarms"] == threads_calls["DescribeAlarms"] == 18
    assert calls.pop("AssumeRole") == threads_calls.pop("AssumeRole") + 1 == len(MEMBERS) + 1
    assert calls.pop("total") == threads_calls.pop("total") + 1
    assert calls == threads_calls


def counted(table: str) -> dict[str, int]:
    """``sentinel -v``'s table of AWS API calls: operation -> calls."""
    rows = [line.strip("│ ").split("│") for line in table.splitlines() if line.startswith("│")]
    return {row[-2].strip(): int(row[-1]) for row in rows}


def test_the_places_are_planned_in_two_processes_not_this_one(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    planned = fanout.plan_place
    outcomes: list[fanout.Outcome] = []

    def where(*args: Any) -> fanout.Outcome:
        outcome = planned(*args)
        outcome.applied = str(os.getpid())  # sent back with the outcome
        return outcome

    monkeypatch.setattr(fanout, "plan_place", where)
    real = fanout.plan_all

    def keeping(*args: Any, **kwargs: Any) -> list[fanout.Outcome]:
        outcomes.extend(real(*args, **kwargs))
        return outcomes

    monkeypatch.setattr(fanout, "plan_all", keeping)
    assert run("plan", "-C", str(estate)).exit_code == 0
    by_account: dict[str, set[str]] = {}
    for outcome in outcomes:
        by_account.setdefault(outcome.place.account_id, set()).add(outcome.applied)

    assert set(by_account) == set(MEMBERS.values())
    # Three accounts of two regions in two processes: the second account's are split.
    assert [len(by_account[account]) for account in MEMBERS.values()] == [1, 2, 1]
    assert len(set().union(*by_account.values())) == 2
    assert str(os.getpid()) not in set().union(*by_account.values())
    assert all(outcome.ctx is None and outcome.plan is not None for outcome in outcomes)
    # Sent back without the states compared: what is shown and counted.
    assert all(o.plan is not None and not o.plan.desired and o.plan.managed for o in outcomes)


def test_the_places_of_a_process_that_dies_are_planned_again_here(
    estate: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    parent = os.getpid()
    planned = fanout.plan_place

    def dying(*args: Any) -> fanout.Outcome:
        place = args[2]
        if os.getpid() != parent and place.account_name == "dev":
            os._exit(9)  # killed, as by the kernel's out-of-memory killer
        return planned(*args)

    monkeypatch.setattr(fanout, "plan_place", dying)
    result = run("plan", "-C", str(estate), "--detailed-exitcode")

    assert result.exit_code == 2, result.output
    assert result.stdout.count("+ alarm shop-queue-2") == 6
    assert "planned again in this one" in caplog.text


@pytest.mark.real_clock  # the looks at the count are timed waits
def test_the_places_done_are_counted_across_the_processes_while_they_run(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    monkeypatch.setattr(place_processes, "TICK", 0.01)
    where = places({"a": 3, "b": 3})
    progress = place_processes.Progress(len(where))
    parent = os.getpid()

    def work(place: Place) -> fanout.Outcome:
        time.sleep(0.1)
        progress.advance()
        return fanout.Outcome(place=place, error=str(os.getpid()))

    seen: list[int] = []
    outcomes = place_processes.in_processes(where, work, 4, aws, lambda: seen.append(progress.done))

    assert [o.place for o in outcomes] == where
    assert len({o.error for o in outcomes}) == 2 and str(parent) not in {o.error for o in outcomes}
    assert progress.done == 6
    # Seen from this process while the others planned: rising, some before the end.
    assert seen == sorted(seen) and seen[-1] == 6 and min(seen) < 6


@pytest.mark.real_clock  # the looks at the count are timed waits
def test_in_threads_the_outcomes_keep_the_places_order_and_the_count_is_looked_at(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(place_processes, "TICK", 0.01)
    where = places({"a": 4})
    progress = place_processes.Progress(len(where))

    def work(place: Place) -> fanout.Outcome:
        time.sleep(0.3 if place.region == "region-0" else 0.01)  # the first ends last
        progress.advance()
        return fanout.Outcome(place=place)

    seen: list[int] = []
    outcomes = place_processes.in_threads(where, work, 4, lambda: seen.append(progress.done))

    assert [o.place for o in outcomes] == where
    assert seen[-1] == 4 and 3 in seen


@pytest.mark.real_clock  # the status line is updated after timed waits
def test_the_status_line_counts_the_places_read(
    estate: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from sentinel.aws.places import project_places
    from sentinel.cli.options import Workspace

    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1})
    monkeypatch.setattr(place_processes, "TICK", 0.01)
    shown = io.StringIO()
    ws = Workspace(
        config_dir=estate,
        profile=None,
        region=None,
        verbose=False,
        console=Console(file=io.StringIO()),
        err=Console(file=shown, force_terminal=True, width=100),
    )
    config = ws.load_config()

    outcomes = fanout.plan_all(ws, config, project_places(config.project, ws.factory), (), 4)

    assert [o.error for o in outcomes] == [None] * 6
    assert "Reading AWS state: 0 of 6 account-region(s) read..." in shown.getvalue()
    assert "Reading AWS state: 6 of 6 account-region(s) read..." in shown.getvalue()
