"""The apply lock against the emulated Parameter Store: one holder, expiry, takeover, release."""

from __future__ import annotations

import fnmatch
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from moto.ssm.exceptions import SSMException
from moto.ssm.responses import SimpleSystemManagerResponse

from sentinel.aws.session import SessionFactory
from sentinel.errors import RefusedError
from sentinel.sync.lock import (
    CALLS,
    LOCK_TTL,
    PARAMETER_PATTERN,
    ApplyLock,
    LockHeldError,
    LockRecord,
    ci_run,
    lock_name,
    marker_name,
)

T = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
NAME = lock_name("shop")
ALICE = "alice@ci-runner:4242"


@pytest.fixture
def ssm(aws: SessionFactory) -> Any:
    return aws.client("ssm")


def lock(ssm: Any, holder: str = "bob@laptop:77", **options: Any) -> ApplyLock:
    return ApplyLock(ssm, "shop", "us-east-1", holder=holder, run="", **options)


def stored(ssm: Any, name: str = NAME) -> dict[str, Any] | None:
    try:
        value = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    except ssm.exceptions.ParameterNotFound:
        return None
    return dict(json.loads(value))


def markers(ssm: Any) -> list[str]:
    """Every takeover marker left in the account, read in pages of one."""
    names, token = [], None
    while True:
        page = ssm.get_parameters_by_path(
            Path="/sentinel/shop/apply-lock-takeover",
            Recursive=True,
            MaxResults=1,
            **({"NextToken": token} if token else {}),
        )
        names += [p["Name"] for p in page["Parameters"]]
        token = page.get("NextToken")
        if not token:
            return names


def dead_holder(ssm: Any, since: datetime, name: str = NAME, record_id: str = "dead-1") -> None:
    """The record an apply left when it was killed: never refreshed again."""
    record = LockRecord(ALICE, record_id, since, since + LOCK_TTL, region="us-east-1")
    ssm.put_parameter(Name=name, Value=record.to_json(), Type="String")


def test_acquire_writes_the_record_and_release_deletes_it(ssm: Any) -> None:
    first = lock(ssm, ALICE)
    with time_machine.travel(T, tick=False):
        record = first.acquire()

    assert stored(ssm) == {
        "holder": ALICE,
        "id": first.id,
        "since": "2026-12-02T10:00:00Z",
        "expires": "2026-12-02T10:02:00Z",
        "region": "us-east-1",
    }
    assert record.holder == ALICE and first.held
    assert first.release() is True
    assert stored(ssm) is None
    assert first._thread is None  # the heartbeat stopped


def test_a_second_acquire_fails_naming_the_holder_and_since(ssm: Any) -> None:
    first, second = lock(ssm, ALICE), lock(ssm)
    with time_machine.travel(T, tick=False):
        first.acquire()
    with (
        time_machine.travel(T + timedelta(seconds=40), tick=False),
        pytest.raises(LockHeldError) as raised,
    ):
        second.acquire(timeout=0)

    assert str(raised.value) == (
        "apply of shop is locked by alice@ci-runner:4242 since 2026-12-02T10:00:00Z "
        "(expires 2026-12-02T10:02:00Z); wait (--lock-timeout), or `sentinel unlock` if that "
        "run died"
    )
    assert raised.value.record.id == first.id
    assert stored(ssm)["id"] == first.id  # type: ignore[index]
    assert not second.held
    first.release()


def test_the_ci_run_is_recorded_and_named(ssm: Any) -> None:
    run = ci_run(
        {
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "shop/monitoring",
            "GITHUB_RUN_ID": "912",
            "GITHUB_RUN_ATTEMPT": "2",
        }
    )
    assert run == "https://github.com/shop/monitoring/actions/runs/912/attempts/2"
    assert ci_run({"CI_JOB_URL": "https://gitlab.example.com/shop/-/jobs/7"}) == (
        "https://gitlab.example.com/shop/-/jobs/7"
    )
    assert ci_run({}) is None

    first = ApplyLock(ssm, "shop", holder="runner@fv-az12:31", run=run)
    first.acquire()
    with pytest.raises(LockHeldError, match=r"locked by runner@fv-az12:31 \(https://github.com/"):
        lock(ssm).acquire()
    assert stored(ssm)["run"] == run  # type: ignore[index]
    first.release()


@pytest.mark.real_clock
def test_a_second_apply_waits_and_takes_the_lock_when_the_first_releases(ssm: Any) -> None:
    first, second = lock(ssm, ALICE), lock(ssm, poll_seconds=0.05)
    first.acquire()
    seen: list[LockRecord] = []
    releaser = threading.Timer(0.3, first.release)
    releaser.start()

    started = time.monotonic()
    second.acquire(timeout=10, on_wait=seen.append)
    waited = time.monotonic() - started

    releaser.join()
    assert 0.25 < waited < 5
    assert [r.holder for r in seen] == [ALICE]
    assert second.waited_for is not None and second.waited_for.id == first.id
    assert stored(ssm)["id"] == second.id  # type: ignore[index]
    second.release()


@pytest.mark.real_clock
def test_waiting_gives_up_at_the_timeout(ssm: Any) -> None:
    first, second = lock(ssm, ALICE), lock(ssm, poll_seconds=0.05)
    first.acquire()

    started = time.monotonic()
    with pytest.raises(
        LockHeldError, match=r"locked by alice@ci-runner:4242 .* after waiting [0-2]s"
    ):
        second.acquire(timeout=0.3)

    assert 0.3 <= time.monotonic() - started < 3
    assert stored(ssm)["id"] == first.id  # type: ignore[index]
    first.release()


def test_an_expired_lock_is_taken_over(ssm: Any) -> None:
    dead_holder(ssm, T)
    taker = lock(ssm)
    with (
        time_machine.travel(T + timedelta(seconds=119), tick=False),
        pytest.raises(LockHeldError, match="expires 2026-12-02T10:02:00Z"),
    ):
        taker.acquire()
    with time_machine.travel(T + timedelta(minutes=3), tick=False):
        taker.acquire()

    assert stored(ssm) == {
        "holder": "bob@laptop:77",
        "id": taker.id,
        "since": "2026-12-02T10:03:00Z",
        "expires": "2026-12-02T10:05:00Z",
        "region": "us-east-1",
    }
    assert markers(ssm) == []
    taker.release()
    assert stored(ssm) is None


def test_a_taker_that_died_mid_takeover_does_not_block_for_good(ssm: Any) -> None:
    dead_holder(ssm, T)
    stalled = LockRecord(
        "carol@box:9", "taker-1", T + timedelta(minutes=3), T + timedelta(minutes=5)
    )
    ssm.put_parameter(Name=marker_name("shop", "dead-1", 1), Value=stalled.to_json(), Type="String")
    taker = lock(ssm)

    with (
        time_machine.travel(T + timedelta(minutes=4), tick=False),
        pytest.raises(LockHeldError, match="carol@box:9 is taking it over since 2026-12-02T10:03"),
    ):
        taker.acquire()
    assert stored(ssm)["id"] == "dead-1"  # type: ignore[index]

    with time_machine.travel(T + timedelta(minutes=6), tick=False):
        taker.acquire()  # the marker expired too: generation 2 of it
    assert stored(ssm)["id"] == taker.id  # type: ignore[index]
    assert markers(ssm) == []
    taker.release()


def test_a_stalled_holder_finds_its_lock_lost_and_never_deletes_the_new_one(ssm: Any) -> None:
    stalled, taker = lock(ssm, ALICE), lock(ssm)
    with time_machine.travel(T, tick=False):
        stalled.acquire()
    with time_machine.travel(T + timedelta(minutes=3), tick=False):
        taker.acquire()
        assert stalled.refresh() is False
        assert stalled.release() is False

    assert stalled.lost is not None and stalled.lost.by is not None
    assert str(stalled.lost) == (
        "the apply lock was broken or taken over at 2026-12-02T10:03:00Z; it is now held by "
        "bob@laptop:77 since 2026-12-02T10:03:00Z (expires 2026-12-02T10:05:00Z)"
    )
    assert stored(ssm)["id"] == taker.id  # type: ignore[index]
    taker.release()


def race(contenders: list[ApplyLock]) -> tuple[list[ApplyLock], list[LockHeldError]]:
    """Every contender acquires at once (timeout 0): those that won, and the refusals."""
    start = threading.Barrier(len(contenders))
    won: list[ApplyLock] = []
    refused: list[LockHeldError] = []

    def contend(contender: ApplyLock) -> None:
        start.wait()
        try:
            contender.acquire(timeout=0)
        except LockHeldError as exc:
            refused.append(exc)
        else:
            won.append(contender)

    threads = [threading.Thread(target=contend, args=(c,)) for c in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return won, refused


def test_two_concurrent_takeovers_of_an_expired_lock_let_exactly_one_win(ssm: Any) -> None:
    contenders = 6
    for round_ in range(20):
        dead_holder(ssm, datetime.now(UTC) - timedelta(minutes=10), record_id=f"dead-{round_}")

        won, refused = race([lock(ssm, f"runner-{n}@ci:{n}") for n in range(contenders)])

        assert len(won) == 1, f"round {round_}: {len(won)} winners"
        assert len(refused) == contenders - 1
        assert stored(ssm)["id"] == won[0].id  # type: ignore[index]
        assert won[0].release() is True
        assert markers(ssm) == []


def test_the_lock_is_released_on_error_and_on_interrupt(ssm: Any) -> None:
    first = lock(ssm)
    with pytest.raises(RuntimeError), first.holding():
        assert stored(ssm)["id"] == first.id  # type: ignore[index]
        raise RuntimeError("a write failed")
    assert stored(ssm) is None

    second = lock(ssm)
    with pytest.raises(KeyboardInterrupt), second.holding():
        heartbeat = second._thread
        raise KeyboardInterrupt
    assert stored(ssm) is None
    assert heartbeat is not None and not heartbeat.is_alive()


@pytest.mark.real_clock
def test_the_heartbeat_moves_expires_forward_and_stops_on_release(ssm: Any) -> None:
    holder = lock(ssm, ttl=timedelta(seconds=2), heartbeat=timedelta(seconds=0.05))
    holder.acquire()
    first_expiry = stored(ssm)["expires"]  # type: ignore[index]
    deadline = time.monotonic() + 5
    while stored(ssm)["expires"] == first_expiry and time.monotonic() < deadline:  # type: ignore[index]
        time.sleep(0.05)

    assert stored(ssm)["expires"] > first_expiry  # type: ignore[index]
    thread = holder._thread
    assert thread is not None and thread.is_alive()
    assert holder.release() is True
    assert not thread.is_alive()
    assert stored(ssm) is None


def test_a_value_sentinel_did_not_write_names_its_age_and_expires(ssm: Any) -> None:
    with time_machine.travel(T, tick=False):
        ssm.put_parameter(Name=NAME, Value="locked by hand", Type="String")
        with pytest.raises(
            LockHeldError, match=r"a value Sentinel cannot read\) since 2026-12-02T10:00"
        ):
            lock(ssm).acquire()
    taker = lock(ssm)
    with time_machine.travel(T + timedelta(minutes=3), tick=False):
        taker.acquire()
    assert stored(ssm)["id"] == taker.id  # type: ignore[index]
    taker.release()


def test_breaking_the_lock_deletes_it_unless_it_changed(ssm: Any) -> None:
    first = lock(ssm, ALICE)
    first.acquire()
    seen = first.read()
    assert seen is not None

    breaker = lock(ssm, "ops@desk:1")
    assert breaker.break_lock(seen).broken is True
    assert stored(ssm) is None
    assert first.refresh() is False and first.lost is not None and first.lost.by is None

    second = lock(ssm)
    second.acquire()
    outcome = breaker.break_lock(seen)  # the record seen is gone: the new lock stays
    assert not outcome.broken and outcome.now_held is not None
    assert outcome.now_held.id == second.id
    assert stored(ssm)["id"] == second.id  # type: ignore[index]
    assert markers(ssm) == []
    second.release()


def test_breaking_refuses_while_a_takeover_runs_unless_forced(ssm: Any) -> None:
    now = datetime.now(UTC)
    dead_holder(ssm, now - timedelta(minutes=10))
    taker = LockRecord("carol@box:9", "taker-1", now, now + LOCK_TTL)
    ssm.put_parameter(Name=marker_name("shop", "dead-1", 1), Value=taker.to_json(), Type="String")
    breaker = lock(ssm, "ops@desk:1")
    seen = breaker.read()
    assert seen is not None

    with pytest.raises(RefusedError, match="carol@box:9 is taking over the expired lock"):
        breaker.break_lock(seen)
    assert stored(ssm)["id"] == "dead-1"  # type: ignore[index]
    assert breaker.break_lock(seen, force=True).broken is True
    assert stored(ssm) is None


def test_concurrent_updates_refused_by_aws_are_retried(
    ssm: Any, inject_faults: Callable[..., None]
) -> None:
    """AWS may answer a write racing another with TooManyUpdates; the lock writes again."""
    refusals: list[str] = []

    def busy(response: SimpleSystemManagerResponse) -> Exception | None:
        if len(refusals) < 2:
            refusals.append(response._get_param("Name"))
            return SSMException("TooManyUpdates", "There are concurrent updates")
        return None

    inject_faults(SimpleSystemManagerResponse, "put_parameter", busy)
    first = lock(ssm)
    first.acquire()

    assert refusals == [NAME, NAME]
    assert stored(ssm)["id"] == first.id  # type: ignore[index]
    first.release()


def test_every_parameter_the_lock_uses_matches_its_declared_pattern() -> None:
    pattern = PARAMETER_PATTERN.format(project="shop")
    assert fnmatch.fnmatchcase(lock_name("shop"), pattern)
    assert fnmatch.fnmatchcase(marker_name("shop", "3f2a", 2), pattern)
    assert not fnmatch.fnmatchcase(lock_name("shop-eu"), pattern)
    assert set(CALLS) == {"ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter"}


def test_a_holder_that_refreshes_its_expired_lock_keeps_it(ssm: Any) -> None:
    """Stalled past its expiry, the holder refreshed before the taker wrote: the taker waits."""
    stalled, taker = lock(ssm, ALICE), lock(ssm)
    with time_machine.travel(T, tick=False):
        stalled.acquire()
    original = taker._claim

    def claim_then_holder_refreshes(record: LockRecord) -> tuple[int, LockRecord | None]:
        claimed = original(record)
        assert stalled.refresh() is True
        return claimed

    taker._claim = claim_then_holder_refreshes  # type: ignore[method-assign]
    with (
        time_machine.travel(T + timedelta(minutes=3), tick=False),
        pytest.raises(
            LockHeldError, match=r"locked by alice@ci-runner:4242 .*expires 2026-12-02T10:05:00Z\)"
        ),
    ):
        taker.acquire()

    assert stored(ssm)["id"] == stalled.id  # type: ignore[index]
    assert markers(ssm) == []
    stalled.release()
