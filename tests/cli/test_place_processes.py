"""Places planned in forked processes: the same plans, output and counted calls as in threads,
each account's places in one process."""

from __future__ import annotations

import os
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


def test_an_accounts_places_go_to_one_process_and_the_load_is_even() -> None:
    assert shares(places({"a": 3, "b": 3, "c": 3, "d": 1}), 2) == [[0, 1, 2, 6, 7, 8], [3, 4, 5, 9]]
    assert shares(places({"a": 1, "b": 4, "c": 2, "d": 1}), 2) == [[1, 2, 3, 4], [0, 5, 6, 7]]
    assert shares(places({"a": 2, "b": 2}), 2) == [[0, 1], [2, 3]]


def test_fewer_accounts_than_processes_deal_the_places_one_by_one() -> None:
    assert shares(places({"a": 3}), 2) == [[0, 2], [1]]
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
    assert forked.output == threaded.output
    assert forked.output.count("+ alarm shop-queue-2") == 6
    # The calls the processes made are counted, as the threads' are.
    assert "DescribeAlarms" in forked.stderr and forked.stderr == threaded.stderr


def test_each_account_is_planned_in_one_process_not_this_one(
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
    assert all(len(pids) == 1 for pids in by_account.values())
    assert len(set().union(*by_account.values())) == 2
    assert str(os.getpid()) not in set().union(*by_account.values())
    assert all(outcome.ctx is None and outcome.plan is not None for outcome in outcomes)
