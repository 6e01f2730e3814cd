"""``sentinel apply`` under the apply lock, and ``sentinel unlock``, in the emulated account."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import Result
from moto.cloudwatch.exceptions import InvalidParameterValue
from moto.cloudwatch.responses import CloudWatchResponse

from cli.shop_commands import invoke, share_session
from sentinel.aws.session import SessionFactory
from sentinel.cli.sync import apply_command, plan_command
from sentinel.cli.unlock import unlock
from sentinel.config import load_config
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.lock import LOCK_TTL, ApplyLock, LockRecord, lock_name
from sync.shop import PAGERDUTY_KEY, shop_files, write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

T = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
NAME = lock_name("shop")
ALICE = "alice@ci-runner:4242"


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files())


@pytest.fixture
def ssm(aws: SessionFactory) -> Any:
    return aws.client("ssm")


def run(*args: str) -> Result:
    return invoke({"plan": plan_command, "apply": apply_command, "unlock": unlock}, *args)


def alice(ssm: Any, **options: Any) -> ApplyLock:
    return ApplyLock(ssm, "shop", "us-east-1", holder=ALICE, run="", **options)


def holder(ssm: Any) -> str | None:
    try:
        value = ssm.get_parameter(Name=NAME)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return str(json.loads(value)["holder"])


def written(aws: SessionFactory) -> dict[str, list[str]]:
    """What the shop's apply writes, as it stands in the account."""
    cloudwatch = aws.client("cloudwatch")
    alarms = cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return {
        "alarms": [a["AlarmName"] for a in alarms["MetricAlarms"] + alarms["CompositeAlarms"]],
        "topics": [t["TopicArn"] for t in aws.client("sns").list_topics()["Topics"]],
    }


def test_apply_holds_the_lock_while_it_writes_and_releases_it(
    aws: SessionFactory, shop: Path, ssm: Any
) -> None:
    seen: list[str | None] = []
    session = aws.session()
    session.events.register(
        "before-call.cloudwatch.PutMetricAlarm", lambda **_: seen.append(holder(ssm))
    )

    result = run("apply", "-C", str(shop), "--auto-approve")

    assert result.exit_code == 0, result.output
    assert seen and all(h is not None and "@" in h for h in seen)
    assert holder(ssm) is None


def test_apply_with_a_held_lock_exits_1_naming_the_holder_and_writes_nothing(
    aws: SessionFactory, shop: Path, ssm: Any
) -> None:
    with time_machine.travel(T, tick=False):
        alice(ssm).acquire()
        result = run("apply", "-C", str(shop), "--auto-approve")

    assert result.exit_code == 1
    assert (
        "error: apply of shop is locked by alice@ci-runner:4242 since 2026-12-02T10:00:00Z "
        "(expires 2026-12-02T10:02:00Z); wait (--lock-timeout), or `sentinel unlock` if that "
        "run died"
    ) in result.output
    assert written(aws) == {"alarms": [], "topics": []}
    assert holder(ssm) == ALICE


def test_plan_does_not_take_the_lock(shop: Path, ssm: Any) -> None:
    alice(ssm).acquire()
    assert run("plan", "-C", str(shop)).exit_code == 0
    assert holder(ssm) == ALICE


def test_the_lock_is_released_after_a_failed_apply(
    aws: SessionFactory, shop: Path, ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = CloudWatchResponse.put_metric_alarm

    def reject_p95(self: CloudWatchResponse) -> Any:
        if self._get_param("AlarmName") == "shop-api-latency-p95":
            raise InvalidParameterValue("Extended statistic p95 rejected")
        return original(self)

    monkeypatch.setattr(CloudWatchResponse, "put_metric_alarm", reject_p95)
    result = run("apply", "-C", str(shop), "--auto-approve")

    assert result.exit_code == 1
    assert "Apply incomplete: 10 applied, 1 failed:" in result.output
    assert holder(ssm) is None


def release_when_found_held(aws: SessionFactory, first: ApplyLock, then: Any = None) -> None:
    """Once another process reads the lock (it found it held), ``then()`` and release it."""
    found = threading.Event()
    aws.session().events.register("after-call.ssm.GetParameter", lambda **_: found.set())

    def finish() -> None:
        found.wait(30)
        if then is not None:
            then()
        first.release()

    threading.Thread(target=finish, daemon=True).start()


@pytest.mark.real_clock
def test_a_second_apply_waits_for_the_lock_then_applies(
    aws: SessionFactory, shop: Path, ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sentinel.sync.lock.POLL_SECONDS", 0.05)
    first = alice(ssm)
    first.acquire()
    release_when_found_held(aws, first)

    # One write at a time: in-process moto's dicts are not safe to iterate while another thread
    # writes them (a rare "OrderedDict mutated during iteration"); the lock is what is tested.
    result = run(
        "apply", "-C", str(shop), "--auto-approve", "--lock-timeout", "30s", "--concurrency", "1"
    )

    assert result.exit_code == 0, result.output
    assert "Waiting up to 30s for the apply lock: held by alice@ci-runner:4242 since" in (
        result.output
    )
    assert "changed AWS while this one waited" not in result.output
    assert "shop-api-errors" in written(aws)["alarms"]
    assert holder(ssm) is None


@pytest.mark.real_clock
def test_after_waiting_apply_reads_the_plan_again(
    aws: SessionFactory, shop: Path, ssm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The apply it waited for wrote the same changes: the plan read again is empty."""
    monkeypatch.setattr("sentinel.sync.lock.POLL_SECONDS", 0.05)
    monkeypatch.setenv("SHOP_PAGERDUTY_KEY", PAGERDUTY_KEY)
    first = alice(ssm)
    first.acquire()

    def first_apply() -> None:
        ctx = SyncContext(load_config(shop), SessionFactory(session=aws.session()), "us-east-1")
        assert apply(ctx, plan(ctx)).ok

    release_when_found_held(aws, first, then=first_apply)
    result = run("apply", "-C", str(shop), "--auto-approve", "--lock-timeout", "1m")

    assert result.exit_code == 0, result.output
    assert "Another apply changed AWS while this one waited for the lock; the plan now:" in (
        result.output
    )
    assert "No changes" in result.output.split("the plan now:")[1]
    assert "✓ created" not in result.output
    alarms = written(aws)["alarms"]
    assert len(alarms) == len(set(alarms)) and "shop-api-errors" in alarms
    assert holder(ssm) is None


def test_apply_whose_lock_was_broken_says_so_and_exits_1(
    aws: SessionFactory, shop: Path, ssm: Any
) -> None:
    broken: list[bool] = []
    guard = threading.Lock()

    def break_once(**_: Any) -> None:  # alarms are written in parallel
        with guard:
            if not broken:
                ssm.delete_parameter(Name=NAME)
                broken.append(True)

    aws.session().events.register("before-call.cloudwatch.PutMetricAlarm", break_once)
    result = run("apply", "-C", str(shop), "--auto-approve")

    assert result.exit_code == 1
    assert "warning: the apply lock was broken or taken over at" in result.output
    assert "another apply may have written at the same time" in result.output
    assert "Apply complete: 11 change(s) applied." in result.output
    assert "shop-api-errors" in written(aws)["alarms"]


def test_a_bad_lock_timeout_exits_1(shop: Path) -> None:
    result = run("apply", "-C", str(shop), "--lock-timeout", "soon")
    assert result.exit_code == 1
    assert "Invalid value for '--lock-timeout'" in result.output


def test_unlock_without_a_lock_says_so(shop: Path) -> None:
    result = run("unlock", "-C", str(shop))
    assert result.exit_code == 0, result.output
    assert "No apply lock is held for shop." in result.output


def test_unlock_breaks_an_expired_lock_with_a_warning(shop: Path, ssm: Any) -> None:
    dead = LockRecord(ALICE, "dead-1", T, T + LOCK_TTL)
    ssm.put_parameter(Name=NAME, Value=dead.to_json(), Type="String")

    with time_machine.travel(T + timedelta(minutes=5), tick=False):
        result = run("unlock", "-C", str(shop))

    assert result.exit_code == 0, result.output
    assert (
        "The apply lock of shop is held by alice@ci-runner:4242 since 2026-12-02T10:00:00Z "
        "(expires 2026-12-02T10:02:00Z)."
    ) in result.output
    assert (
        "warning: broke the apply lock of shop held by alice@ci-runner:4242; another apply can "
        "start now"
    ) in result.output
    assert holder(ssm) is None


def test_unlock_refuses_a_live_lock_unless_forced(shop: Path, ssm: Any) -> None:
    live = alice(ssm)
    live.acquire()

    refused = run("unlock", "-C", str(shop))
    assert refused.exit_code == 1
    assert "that apply is probably still running" in refused.output
    assert "pass --force" in refused.output
    assert holder(ssm) == ALICE

    forced = run("unlock", "-C", str(shop), "--force")
    assert forced.exit_code == 0, forced.output
    assert "warning: broke the apply lock of shop held by alice@ci-runner:4242, which was" in (
        forced.output
    )
    assert holder(ssm) is None
    assert live.refresh() is False and live.lost is not None
    assert live.release() is False  # the holder never deletes a lock that is not its own

    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0


@pytest.mark.real_clock
def test_a_saved_plan_that_waited_for_an_apply_that_changed_aws_is_refused(
    aws: SessionFactory, shop: Path, ssm: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sentinel.sync.lock.POLL_SECONDS", 0.05)
    out = tmp_path / "plan.json"
    assert run("plan", "-C", str(shop), "--out", str(out)).exit_code == 0
    first = alice(ssm)
    first.acquire()

    def first_apply() -> None:  # it creates what the saved plan would have
        ctx = SyncContext(load_config(shop), SessionFactory(session=aws.session()), "us-east-1")
        assert apply(ctx, plan(ctx)).ok
        aws.client("cloudwatch").delete_alarms(AlarmNames=["shop-api-errors"])

    release_when_found_held(aws, first, then=first_apply)
    result = run("apply", "-C", str(shop), str(out), "--lock-timeout", "1m")

    assert result.exit_code == 1
    assert "Waiting up to 1m for the apply lock" in result.output
    assert "plan.json is stale: 10 resource(s) changed since it was made" in result.output
    assert "✓ created" not in result.output
    assert "shop-api-errors" not in written(aws)["alarms"]  # nothing written by this apply
    assert holder(ssm) is None
