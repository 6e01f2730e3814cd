"""One ``sentinel apply`` of a project at a time: a lock kept in AWS, not on one machine.

Where: an SSM Parameter Store parameter, ``/sentinel/<project>/apply-lock``, in the project's
first region (``regions[0]`` of sentinel.yaml) of the account the credentials are for. Its value
is a JSON record: ``holder`` (``user@host:pid``), ``run`` (the CI run's URL, when there is one),
``id`` (a uuid per apply), ``since``, ``expires`` and the ``region`` being applied.

Why SSM Parameter Store:

- PutParameter with ``Overwrite=False`` creates a parameter atomically: of two calls for one
  name exactly one succeeds, the other gets ParameterAlreadyExists. That is the whole lock.
- Nothing to set up first and nothing left behind: a standard parameter is free, exists only
  while the lock is held, and needs three calls (``CALLS``). A DynamoDB table or an S3
  bucket would be a resource Sentinel had to create before the first apply and keep, with
  create permissions in every CI role.
- What it lacks is a conditional overwrite; the takeover below makes up for it.

Scope: one lock per project and account, whatever region an apply covers. Budgets are
account-wide and every region's apply writes them, so two applies of one project in two regions
must not interleave either; the lock stays in the first region so that every apply finds it.

Expiry: the holder refreshes ``expires`` (``LOCK_TTL`` ahead) every ``HEARTBEAT`` from a thread
while it applies, so a lock whose ``expires`` has passed belongs to a run that died (killed CI
runner, lost machine). Times come from ``sentinel.clock`` and are compared with the reader's
clock: machines keep NTP time (AWS refuses requests signed more than five minutes off).
The lock is released when the apply ends, on an error or Ctrl-C too, and only while it is still
the holder's own record; a process killed outright leaves it to expire.

Taking over an expired lock: the process that wants to replace expired record X first creates a
marker, ``/sentinel/<project>/apply-lock-takeover/<X.id>/1``, with ``Overwrite=False``; exactly
one process succeeds. It reads the lock again and, only if it still holds X, overwrites it with
its own record, then deletes its marker. The others find the marker and keep waiting. Nobody
else writes the lock while it holds X: a fresh acquire needs the parameter gone, and another
takeover of X needs the marker. A late process that creates the marker after it was deleted
reads the lock again, finds a record other than X and lets go. A marker is a record too, with
its own ``expires``: a taker that died between its two calls leaves a marker that expires, and
the next taker claims generation 2 of it (``.../<X.id>/2``), so no lock stays stuck.
``sentinel unlock`` breaks a lock through the same marker.

What no lease without fencing tokens can rule out is a holder (or a taker) that is not dead but
stalled for longer than ``LOCK_TTL`` (a suspended laptop): its heartbeat reads the lock before
it writes, finds someone else's record, stops, and reports the lock as ``lost``; the CLI says
so and exits 1.
"""

from __future__ import annotations

import getpass
import json
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sentinel import clock
from sentinel.aws.failures import AWS_FAILURES, translate
from sentinel.errors import RefusedError, SentinelError

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config import Config

# The AWS calls the lock makes, and the parameters it makes them on (every name the lock uses
# matches this pattern, so an IAM policy can scope the calls to it).
CALLS: tuple[str, ...] = ("ssm:GetParameter", "ssm:PutParameter", "ssm:DeleteParameter")
PARAMETER_PATTERN = "/sentinel/{project}/apply-lock*"
LOCK_TTL = timedelta(minutes=2)
HEARTBEAT = timedelta(seconds=30)
POLL_SECONDS = 5.0
TOO_MANY_UPDATES_ATTEMPTS = 6
# Where a CI system says which run this is: the URL named by one variable, or GitHub's parts.
CI_RUN_URL_VARIABLES: tuple[str, ...] = (
    "CI_JOB_URL",  # GitLab CI
    "BUILDKITE_BUILD_URL",  # Buildkite
    "CIRCLE_BUILD_URL",  # CircleCI
    "BUILD_URL",  # Jenkins
)
_DESCRIPTION = "One apply of the project at a time (Sentinel); `sentinel unlock` breaks it"


def lock_name(project: str) -> str:
    return f"/sentinel/{project}/apply-lock"


def marker_name(project: str, record_id: str, generation: int) -> str:
    return f"/sentinel/{project}/apply-lock-takeover/{record_id}/{generation}"


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class LockRecord:
    """Who holds the lock (or a takeover marker), since when, and until when unless refreshed."""

    holder: str
    id: str
    since: datetime
    expires: datetime
    run: str | None = None
    region: str | None = None

    @property
    def who(self) -> str:
        return f"{self.holder} ({self.run})" if self.run else self.holder

    def expired(self, at: datetime) -> bool:
        return at >= self.expires

    def describe(self) -> str:
        return f"{self.who} since {timestamp(self.since)} (expires {timestamp(self.expires)})"

    def to_json(self) -> str:
        record = asdict(self)
        record["since"], record["expires"] = timestamp(self.since), timestamp(self.expires)
        return json.dumps({k: v for k, v in record.items() if v is not None}, sort_keys=True)

    @classmethod
    def from_parameter(cls, parameter: Mapping[str, Any]) -> LockRecord:
        """The record a parameter holds; a value Sentinel did not write still names a holder
        and expires ``LOCK_TTL`` after it was written, so it never blocks for good."""
        try:
            value = json.loads(parameter["Value"])
            return cls(
                holder=str(value["holder"]),
                id=str(value["id"]),
                since=_parse_time(value["since"]),
                expires=_parse_time(value["expires"]),
                run=value.get("run"),
                region=value.get("region"),
            )
        except (ValueError, TypeError, KeyError):
            written = parameter.get("LastModifiedDate") or clock.now()
            return cls(
                holder="(a value Sentinel cannot read)",
                id=f"unreadable-{parameter.get('Version', 0)}",
                since=written,
                expires=written + LOCK_TTL,
            )


@dataclass(frozen=True)
class Lost:
    """The lock stopped being ours while we held it: broken, or taken over as expired."""

    at: datetime
    by: LockRecord | None

    def __str__(self) -> str:
        now_held = f"; it is now held by {self.by.describe()}" if self.by else ""
        return f"the apply lock was broken or taken over at {timestamp(self.at)}{now_held}"


class LockHeldError(SentinelError):
    """Another apply of the project holds the lock (exit 1)."""

    def __init__(
        self, project: str, record: LockRecord, waited: float, taker: LockRecord | None = None
    ) -> None:
        self.record = record
        self.taker = taker
        waited_for = f" after waiting {_seconds(waited)}" if waited > 0 else ""
        taking = f"; {taker.who} is taking it over since {timestamp(taker.since)}" if taker else ""
        super().__init__(
            f"apply of {project} is locked by {record.describe()}{taking}{waited_for}; wait "
            "(--lock-timeout), or `sentinel unlock` if that run died"
        )


@dataclass(frozen=True)
class Broken:
    """What ``break_lock`` did: deleted the lock, or found it released or held by another."""

    broken: bool
    now_held: LockRecord | None


@dataclass(frozen=True)
class _Blocked:
    record: LockRecord
    taker: LockRecord | None = None


_RETRY = object()  # the lock changed under us: try again at once


class ApplyLock:
    """The apply lock of one project: acquire (waiting up to a timeout), heartbeat, release."""

    def __init__(
        self,
        ssm: Any,
        project: str,
        region: str | None = None,
        *,
        ttl: timedelta = LOCK_TTL,
        heartbeat: timedelta = HEARTBEAT,
        poll_seconds: float | None = None,
        holder: str | None = None,
        run: str | None = None,
    ) -> None:
        self.ssm = ssm
        self.project = project
        self.region = region
        self.name = lock_name(project)
        self.id = str(uuid.uuid4())
        self.ttl = ttl
        self.heartbeat = heartbeat
        self.poll_seconds = POLL_SECONDS if poll_seconds is None else poll_seconds
        self.holder = holder or holder_identity()
        self.run = (run if run is not None else ci_run()) or None
        self.record: LockRecord | None = None  # ours, while held
        self.waited_for: LockRecord | None = None  # the first other holder seen while acquiring
        self.lost: Lost | None = None
        self.heartbeat_error: str | None = None
        self.release_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._guard = threading.Lock()

    # -- reading ---------------------------------------------------------------------------

    def read(self) -> LockRecord | None:
        """The record of whoever holds the lock now, or None when nobody does."""
        return self._read(self.name)

    @property
    def held(self) -> bool:
        return self.record is not None and self.lost is None

    # -- acquiring -------------------------------------------------------------------------

    def acquire(
        self, timeout: float = 0, on_wait: Callable[[LockRecord], None] | None = None
    ) -> LockRecord:
        """Take the lock, polling up to ``timeout`` seconds while another apply holds it.

        When it has to wait, ``waited_for`` is the holder it found and ``on_wait`` is called
        with it, once. Raises LockHeldError when the lock is still held at the deadline.
        """
        started = time.monotonic()
        while True:
            outcome = self._attempt()
            if outcome is None:
                self._start_heartbeat()
                assert self.record is not None
                return self.record
            if outcome is _RETRY:
                continue
            assert isinstance(outcome, _Blocked)
            waited = time.monotonic() - started
            if waited >= timeout:
                shown = waited if timeout > 0 else 0
                raise LockHeldError(self.project, outcome.record, shown, outcome.taker)
            if self.waited_for is None:
                self.waited_for = outcome.record
                if on_wait is not None:
                    on_wait(outcome.record)
            time.sleep(min(self.poll_seconds, timeout - waited))

    @contextmanager
    def holding(
        self, timeout: float = 0, on_wait: Callable[[LockRecord], None] | None = None
    ) -> Iterator[ApplyLock]:
        """Hold the lock for the ``with`` block; released on leaving it, error or interrupt
        included. A release that fails is kept in ``release_error`` (the lock then expires)."""
        self.acquire(timeout, on_wait)
        try:
            yield self
        finally:
            try:
                self.release()
            except SentinelError as exc:
                self.release_error = str(exc)

    def _attempt(self) -> _Blocked | object | None:
        mine = self._new_record()
        if self._create(self.name, mine):
            self.record = mine
            return None
        current = self.read()
        if current is None:
            return _RETRY  # released between our create and our read
        if current.id == self.id:
            self.record = current
            return None
        if not current.expired(clock.now()):
            return _Blocked(current)
        return self._take_over(current)

    def _take_over(self, expired: LockRecord) -> _Blocked | object | None:
        generation, taker = self._claim(expired)
        if generation == 0:
            return _Blocked(expired, taker)
        try:
            current = self.read()
            if current is None or current.id != expired.id:
                return _RETRY  # released, broken or taken over by someone else meanwhile
            if not current.expired(clock.now()):
                return _Blocked(current)  # its holder was stalled, not dead, and refreshed it
            mine = self._new_record()
            self._put(self.name, mine, overwrite=True)
            self.record = mine
            return None
        finally:
            self._drop_markers(expired, generation)

    def _claim(self, record: LockRecord) -> tuple[int, LockRecord | None]:
        """Claim the takeover marker of ``record``: (generation, None), or (0, the live marker
        of whoever is taking it over)."""
        generation = 1
        while True:
            name = marker_name(self.project, record.id, generation)
            if self._create(name, self._new_record()):
                return generation, None
            marker = self._read(name)
            if marker is None:
                continue  # its taker just deleted it: claim the same generation again
            if not marker.expired(clock.now()):
                return 0, marker
            generation += 1  # its taker died between two calls

    def _drop_markers(self, record: LockRecord, generation: int) -> None:
        for number in range(generation, 0, -1):
            self._delete(marker_name(self.project, record.id, number))

    # -- holding ---------------------------------------------------------------------------

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._beat, name=f"apply-lock-{self.project}", daemon=True
        )
        self._thread.start()

    def _stop_heartbeat(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.heartbeat.total_seconds()):
            try:
                if not self.refresh():
                    return
            except SentinelError as exc:
                # Keep trying: a lock that is not refreshed for LOCK_TTL expires, nothing worse.
                self.heartbeat_error = str(exc)

    def refresh(self) -> bool:
        """Move ``expires`` forward; False (and ``lost`` set) when the lock is no longer ours."""
        with self._guard:
            if self.record is None or self.lost is not None:
                return False
            current = self.read()
            if current is None or current.id != self.id:
                self.lost = Lost(clock.now(), current)
                return False
            refreshed = replace(self.record, expires=clock.now() + self.ttl)
            self._put(self.name, refreshed, overwrite=True)
            self.record = refreshed
            self.heartbeat_error = None
            return True

    def release(self) -> bool:
        """Stop the heartbeat and delete the lock if it is still ours; True when deleted."""
        self._stop_heartbeat()
        with self._guard:
            if self.record is None or self.lost is not None:
                return False
            current = self.read()
            if current is None or current.id != self.id:
                self.lost = Lost(clock.now(), current)
                return False
            self._delete(self.name)
            self.record = None
            return True

    # -- breaking --------------------------------------------------------------------------

    def break_lock(self, seen: LockRecord, force: bool = False) -> Broken:
        """Delete the lock if it still holds ``seen``.

        Goes through ``seen``'s takeover marker, so a takeover under way is never undone; with
        ``force`` a live marker is ignored.
        """
        generation, taker = self._claim(seen)
        if generation == 0 and not force:
            assert taker is not None
            raise RefusedError(
                f"{taker.who} is taking over the expired lock since {timestamp(taker.since)}; "
                "wait for it, or pass --force"
            )
        try:
            current = self.read()
            if current is None or current.id != seen.id:
                return Broken(False, current)
            self._delete(self.name)
            return Broken(True, None)
        finally:
            if generation:
                self._drop_markers(seen, generation)

    # -- AWS -------------------------------------------------------------------------------

    def _new_record(self) -> LockRecord:
        now = clock.now()
        return LockRecord(self.holder, self.id, now, now + self.ttl, self.run, self.region)

    def _read(self, name: str) -> LockRecord | None:
        try:
            parameter = self.ssm.get_parameter(Name=name)["Parameter"]
        except self.ssm.exceptions.ParameterNotFound:
            return None
        except AWS_FAILURES as exc:
            raise translate(exc) from exc
        return LockRecord.from_parameter(parameter)

    def _create(self, name: str, record: LockRecord) -> bool:
        try:
            self._put(name, record, overwrite=False)
        except self.ssm.exceptions.ParameterAlreadyExists:
            return False
        return True

    def _put(self, name: str, record: LockRecord, overwrite: bool) -> None:
        # Two writes of one parameter at the same moment: AWS may answer the second with
        # TooManyUpdates (botocore does not retry it) rather than serialise them; it is retried
        # here, and a create then gets the ParameterAlreadyExists it was racing towards.
        for attempt in range(TOO_MANY_UPDATES_ATTEMPTS):
            try:
                self.ssm.put_parameter(
                    Name=name,
                    Description=_DESCRIPTION,
                    Value=record.to_json(),
                    Type="String",
                    Overwrite=overwrite,
                )
                return
            except self.ssm.exceptions.ParameterAlreadyExists:
                raise
            except self.ssm.exceptions.TooManyUpdates as exc:
                if attempt + 1 == TOO_MANY_UPDATES_ATTEMPTS:
                    raise translate(exc) from exc
                time.sleep(random.uniform(0.5, 1.0) * 0.1 * 2**attempt)
            except AWS_FAILURES as exc:
                raise translate(exc) from exc

    def _delete(self, name: str) -> None:
        try:
            self.ssm.delete_parameter(Name=name)
        except self.ssm.exceptions.ParameterNotFound:
            pass
        except AWS_FAILURES as exc:
            raise translate(exc) from exc


def apply_lock(factory: SessionFactory, config: Config, region: str, **options: Any) -> ApplyLock:
    """The apply lock of ``config``'s project, kept in its first region; ``region`` is the one
    being applied (recorded for whoever finds the lock held)."""
    home = config.project.regions[0]
    return ApplyLock(factory.client("ssm", region=home), config.name, region, **options)


def holder_identity() -> str:
    """``user@host:pid`` of this process."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return f"{user}@{socket.gethostname()}:{os.getpid()}"


def ci_run(environ: Mapping[str, str] | None = None) -> str | None:
    """The URL of the CI run this process belongs to, when a known CI system says."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL") or "https://github.com"
        url = f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
        attempt = env.get("GITHUB_RUN_ATTEMPT")
        return f"{url}/attempts/{attempt}" if attempt else url
    for variable in CI_RUN_URL_VARIABLES:
        if env.get(variable):
            return env[variable]
    return None


def _parse_time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {value}")
    return moment


def _seconds(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"
