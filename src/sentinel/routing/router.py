"""The router's decisions: for each message, deliver, hold, drop as duplicate, or dead-letter.

``Router.handle`` takes one SQS body and returns a ``Decision`` saying whether the message may be
deleted (every destination accepted it, or it is safely stored as held), must be retried later
(a destination refused for now), or belongs in the dead-letter queue (unreadable, unroutable, or
refused for good). An alert an active silence matches (``sentinel silence``) is held until the
silence ends, as in a maintenance window. ``release_due`` sends held alerts whose time has come
(digests included) unless a silence or maintenance window still mutes them,
``repage_due`` re-pages the escalation target when a page outlasts its severity's
``response_time`` unacknowledged, and ``escalate_due`` tells the escalation contact about pages
nobody acknowledged after ``escalate_after``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sentinel import clock
from sentinel.errors import DeliveryFailed
from sentinel.routing.alert import Alert, AlertState
from sentinel.routing.central import account_names, named_account
from sentinel.routing.delivery_hours import DeliveryHours
from sentinel.routing.destinations.base import Destination, DigestEntry, Found, Notification, Sent
from sentinel.routing.destinations.pagerduty import PagerDutyDestination
from sentinel.routing.messages import UnparseableMessage, open_envelope, parse_envelope
from sentinel.routing.noise import Hold, maintenance_hold, settled
from sentinel.routing.oncall import Person, Shift
from sentinel.routing.policy import RoutingPolicy, UnroutableAlert
from sentinel.routing.report_messages import Report, parse_report
from sentinel.routing.silences import Silence, matching, silence_id, silence_label
from sentinel.routing.state import AlarmRecord, HeldAlert, Page, RouterState, Thread

log = logging.getLogger("sentinel.routing")

DELIVERED = "delivered"
HELD = "held"
DUPLICATE = "duplicate"
STALE = "stale"
SUPPRESSED = "suppressed"
RETRY = "retry"
DEAD = "dead-letter"
ESCALATED = "escalated"
REPAGED = "re-paged"
ACKNOWLEDGED = "acknowledged"
DEFERRED = "deferred"  # another replica is handling the alarm: the message comes back
# Held alerts that a destination refuses wait this long, doubling, before the next attempt.
HELD_RETRY = timedelta(seconds=30)
HELD_RETRY_MAX = timedelta(minutes=30)
ONCALL_CACHE = timedelta(minutes=1)
# How long a replica's claim of an alarm lasts (the consumer uses its queue's visibility timeout).
CLAIM_LEASE = timedelta(seconds=60)


def utcnow() -> datetime:
    return clock.now()


@dataclass
class Decision:
    """What the router did with one message (or one held alert, digest or escalation)."""

    action: str
    message_id: str | None = None
    alert: Alert | None = None
    severity: str | None = None
    reason: str | None = None
    sent: list[tuple[str, str]] = field(default_factory=list)
    retry_after: float | None = None
    held_until: datetime | None = None
    received_at: datetime | None = None
    finished_at: datetime | None = None
    silence: int | None = None  # the silence that held this alert (``sentinel silence``)

    @property
    def delete(self) -> bool:
        """The SQS message may be deleted: nothing about it is left to do."""
        return self.action in (DELIVERED, HELD, DUPLICATE, STALE, SUPPRESSED)

    @property
    def dead(self) -> bool:
        return self.action == DEAD


OnCallLookup = Callable[[datetime], Shift | None]
AcknowledgementCheck = Callable[[str], bool]


class Router:
    def __init__(
        self,
        policy: RoutingPolicy,
        state: RouterState,
        destinations: Mapping[str, Sequence[Destination]],
        oncall: OnCallLookup | None = None,
        escalation_contact: str | None = None,
        escalation_destinations: Sequence[Destination] = (),
        acknowledged: AcknowledgementCheck | None = None,
        clock: Callable[[], datetime] = utcnow,
        repage_destinations: Sequence[PagerDutyDestination] | None = None,
        delivery_hours: DeliveryHours | None = None,
    ) -> None:
        self.policy = policy
        self.delivery_hours = delivery_hours
        self.state = state
        self.destinations = {severity: list(d) for severity, d in destinations.items()}
        self.oncall = oncall
        self.escalation_contact = escalation_contact
        self.escalation_destinations = list(escalation_destinations)
        self.acknowledged = acknowledged
        self.clock = clock
        # The escalation target's service; None: re-page on the severity's own PagerDuty.
        self.repage_destinations = (
            list(repage_destinations) if repage_destinations is not None else None
        )
        self._oncall_cache: tuple[datetime, Person | None] | None = None
        self.lease = CLAIM_LEASE
        # Alarms claimed over from a replica that never finished, and since when (the consumer
        # sets it per batch): before posting, look whether that replica's post went out. A
        # message marked as being sent (``RouterState.sending``) is looked for the same way.
        self.in_doubt: dict[str, datetime] = {}
        # The silences active when the batch in hand was received (read once per batch).
        self._silences: list[Silence] | None = None
        # A project of several accounts: every alert names its account as sentinel.yaml does.
        self.account_names = account_names(policy.config.project)

    # --- one message -------------------------------------------------------------------------

    def handle(self, body: str, received_at: datetime | None = None) -> Decision:
        received_at = received_at or self.clock()
        decision = self._handle(body, received_at)
        decision.received_at = received_at
        decision.finished_at = self.clock()
        return decision

    @staticmethod
    def alarm_key(body: str) -> str | None:
        """The alarm a message is about (what replicas claim), None when it cannot be read."""
        try:
            return parse_envelope(open_envelope(body), utcnow()).key
        except UnparseableMessage:
            return None

    @contextmanager
    def batch(self, bodies: Sequence[str], keys: Iterable[str]) -> Iterator[None]:
        """Handle the messages of one batch, their alarms (``keys``) claimed: the store is asked
        once which of their rows exist, not once per message and table."""
        ids = []
        for body in bodies:
            try:
                ids.append(open_envelope(body).message_id)
            except UnparseableMessage:
                continue
        with self.state.batch(ids, keys):
            self._silences = self.state.silences(self.clock())
            try:
                yield
            finally:
                self._silences = None

    def _handle(self, body: str, received_at: datetime) -> Decision:
        try:
            envelope = open_envelope(body)
        except UnparseableMessage as exc:
            return Decision(DEAD, reason=exc.reason)
        message_id = envelope.message_id
        if self.state.handled(message_id) is not None:
            return Decision(DUPLICATE, message_id, reason="this SNS message was handled before")
        report = parse_report(envelope.message)
        if report is not None:
            return self._deliver_report(report, envelope.topic_arn, message_id)
        try:
            alert = named_account(parse_envelope(envelope, received_at), self.account_names)
        except UnparseableMessage as exc:
            return Decision(DEAD, message_id, reason=exc.reason)
        try:
            severity = self.policy.severity_of(alert)
        except UnroutableAlert as exc:
            return Decision(DEAD, message_id, alert, reason=exc.reason)
        fresh, told = self.state.observe(alert, severity)
        if not fresh:
            self.state.finish(message_id, alert.key, STALE, self.clock())
            return Decision(
                STALE, message_id, alert, severity, "a newer change of this alarm was seen"
            )
        done = self.state.accepted_by(message_id)
        if done:
            # A retry after a partial delivery: finish it, whatever the hour.
            return self._deliver(alert, severity, told, message_id, done)
        held = self.state.held(alert.key)
        hold = self.policy.hold(alert, severity, told, received_at)
        silence = self._silence_of(alert, received_at)
        if silence is not None:
            # Recorded like any change, held like one in a maintenance window, until it ends.
            hold = silence.hold().merge(hold)
            if held is None or silence_label(silence.id) not in held.reasons:
                self.state.silenced(silence.id)  # once per alert: not at each change it holds
        if held is not None or hold is not None:
            if hold is None and held is not None:
                hold = Hold(held.release_at, held.reasons, held.digest)
            assert hold is not None
            now_held = self.state.hold(alert, severity, hold, received_at)
            self.state.finish(message_id, alert.key, HELD, self.clock())
            reason = ", ".join(now_held.reasons)
            if now_held.transitions > 1:
                reason += f"; {now_held.transitions} changes held"
            return Decision(
                HELD,
                message_id,
                alert,
                severity,
                reason,
                held_until=now_held.release_at,
                silence=silence.id if silence is not None else None,
            )
        return self._deliver(alert, severity, told, message_id, done)

    def _names(self, alert: Alert) -> list[str]:
        """The names a maintenance window or a silence may give an alarm by."""
        return [alert.name, self.policy.rule_of(alert) or ""]

    def _silence_of(self, alert: Alert, at: datetime) -> Silence | None:
        active = self._silences if self._silences is not None else self.state.silences(at)
        return matching(active, self._names(alert), at)

    def _still_muted(self, held: HeldAlert, now: datetime) -> Hold | None:
        """What mutes a held alert that is due: a silence added meanwhile, or the maintenance
        window that outlasts the silence expired early; None when nothing does."""
        names = self._names(held.alert)
        policy = self.policy
        hold = maintenance_hold(policy.routing.maintenance, names, now, policy.timezone)
        silence = matching(self.state.silences(now), names, now)
        if silence is not None:
            hold = silence.hold().merge(hold)
        return hold

    def _deliver(
        self,
        alert: Alert,
        severity: str,
        told: AlertState | None,
        delivery_id: str,
        done: set[str] | None = None,
    ) -> Decision:
        """Send to every destination of the severity that has not accepted ``delivery_id`` yet
        (``done``: those that have, when the caller looked already)."""
        notification = self.notification(alert, severity, told)
        decision = Decision(DELIVERED, alert.message_id, alert, severity)
        if done is None:
            done = self.state.accepted_by(delivery_id)
        failures: list[DeliveryFailed] = []
        targets = [d for d in self.destinations.get(severity, []) if d.id not in done]
        threads = self.state.threads(alert.key) if targets else {}
        if self.delivery_hours is not None:
            targets = self._by_the_hour(severity, alert, targets, threads)
        unfinished: dict[str, datetime] = {}
        if targets:
            unfinished = self.state.sending_since(delivery_id)
            self.state.sending(delivery_id, [d.id for d in targets], self.clock())
        for destination in targets:
            thread = threads.get(destination.id)
            since = _earliest(self.in_doubt.get(alert.key), unfinished.get(destination.id))
            try:
                if since is not None and hasattr(destination, "find_sent"):
                    channel = self.state.channel_of(destination.id) if thread is None else None
                    found: Found = destination.find_sent(notification, thread, since, channel)
                    if found.thread is not None and thread is None:
                        thread = found.thread
                        self.state.save_thread(alert.key, destination.id, thread)
                    if found.sent is not None:
                        self._accepted(alert.key, delivery_id, destination, found.sent)
                        decision.sent.append((destination.label, found.sent.action))
                        continue
                sent = destination.send(notification, thread)
            except DeliveryFailed as exc:
                log.warning("%s %s: %s", severity, alert.name, exc)
                failures.append(exc)
                if not exc.unanswered:  # refused: nothing went out
                    self.state.not_sent(delivery_id, destination.id)
                continue
            self._accepted(alert.key, delivery_id, destination, sent)
            decision.sent.append((destination.label, sent.action))
        if decision.sent or not failures:
            self.state.notified(alert, self.clock())
        self._track_page(alert, severity, decision)
        if not failures:
            if not self.destinations.get(severity):
                decision.reason = "no PagerDuty, Slack or email destination for this severity"
            self.state.finish(delivery_id, alert.key, DELIVERED, self.clock())
            return decision
        return self._failed(decision, failures)

    def _deliver_report(self, report: Report, topic: str | None, message_id: str) -> Decision:
        """A report on a severity topic: posted to its Slack channels and mailed to its email
        destinations, once each (PagerDuty is for alarms)."""
        severity = self.policy.severity_by_topic.get((topic or "").rsplit(":", 1)[-1])
        if severity is None:
            return Decision(DEAD, message_id, reason=f"a {report.report} report on no severity")
        decision = Decision(DELIVERED, message_id, None, severity, f"{report.report} report")
        done = self.state.accepted_by(message_id)
        failures: list[DeliveryFailed] = []
        for destination in self.destinations.get(severity, []):
            send = getattr(destination, "send_report", None)
            if send is None or destination.id in done:
                continue
            try:
                sent: Sent = send(report)
            except DeliveryFailed as exc:
                failures.append(exc)
                continue
            self.state.accepted(message_id, destination.id, self.clock())
            decision.sent.append((destination.label, sent.action))
        if failures:
            return self._failed(decision, failures)
        self.state.finish(message_id, None, DELIVERED, self.clock())
        return decision

    def _by_the_hour(
        self,
        severity: str,
        alert: Alert,
        targets: list[Destination],
        threads: Mapping[str, Thread],
    ) -> list[Destination]:
        """The targets whose hours are open now, and those closed that get the resolution of
        what they were told: a Slack thread they hold, or a PagerDuty resolve (ignored by
        PagerDuty for an incident it never opened)."""
        assert self.delivery_hours is not None
        now, resolution = self.clock(), alert.state is AlertState.OK
        kept = []
        for d in targets:
            told = d.id in threads or d.id.startswith("pagerduty:")
            if self.delivery_hours.takes(severity, d.id, now, resolution, told):
                kept.append(d)
            else:
                log.info("%s %s: not sent to %s outside its hours", severity, alert.name, d.label)
        return kept

    def _accepted(self, key: str, delivery_id: str, destination: Destination, sent: Sent) -> None:
        if sent.thread is not None:
            self.state.save_thread(key, destination.id, sent.thread)
        self.state.accepted(delivery_id, destination.id, self.clock())

    @staticmethod
    def _failed(decision: Decision, failures: list[DeliveryFailed]) -> Decision:
        permanent = [f for f in failures if f.permanent]
        decision.reason = "; ".join(str(f) for f in failures)
        if permanent:
            decision.action = DEAD
            return decision
        decision.action = RETRY
        waits = [f.retry_after for f in failures if f.retry_after is not None]
        decision.retry_after = max(waits) if waits else None
        return decision

    def notification(self, alert: Alert, severity: str, told: AlertState | None) -> Notification:
        tier = self.policy.tier(severity)
        return Notification(
            alert=alert,
            project=self.policy.project,
            severity=severity,
            page=tier.page,
            rule=self.policy.rule_of(alert),
            links=self.policy.links(alert),
            oncall=self.on_call(),
            told=told,
        )

    def on_call(self) -> Person | None:
        """Who is on call now (looked up at most once a minute; never blocks an alert)."""
        if self.oncall is None:
            return None
        now = self.clock()
        if self._oncall_cache and now - self._oncall_cache[0] < ONCALL_CACHE:
            return self._oncall_cache[1]
        try:
            shift = self.oncall(now)
        except Exception as exc:  # an unreachable schedule must not stop alerts
            log.warning("on-call lookup failed: %s", exc)
            return self._oncall_cache[1] if self._oncall_cache else None
        person = shift.person if shift else None
        self._oncall_cache = (now, person)
        return person

    # --- held alerts ---------------------------------------------------------------------

    def next_release(self) -> datetime | None:
        return self.state.next_release()

    def release_due(self) -> list[Decision]:
        now = self.clock()
        self.state.release_expired_silences(now)
        due = self.state.due(now)
        decisions = []
        for held in due:
            if held.digest:
                continue
            with self._claimed(held.key) as mine:
                current = self.state.held(held.key) if mine else None
                # Another replica may have released it since.
                if current is not None and current.release_at <= now:
                    still = self._still_muted(current, now)
                    if still is not None:
                        decisions.append(self._hold_on(current, still))
                    else:
                        decisions.append(self._release(current))
        digests: dict[str, list[HeldAlert]] = {}
        for held in due:
            if held.digest:
                digests.setdefault(held.severity, []).append(held)
        for severity, entries in digests.items():
            with self._claimed(f"digest:{severity}", *(e.key for e in entries)) as mine:
                if not mine:
                    continue
                again = [self.state.held(e.key) for e in entries]
                fresh = []
                for entry in again:
                    if entry is None or entry.release_at > now:
                        continue
                    still = self._still_muted(entry, now)
                    if still is not None:
                        decisions.append(self._hold_on(entry, still))
                    else:
                        fresh.append(entry)
                if fresh:
                    decisions.append(self._digest(severity, fresh))
        return decisions

    @contextmanager
    def _claimed(self, *keys: str) -> Iterator[bool]:
        """Hold ``keys`` against the other replicas, in one transaction, for one held alert,
        page or escalation; False (and nothing held) when another replica has one of them."""
        claimed = self.state.claim_alarms(keys, self.clock(), self.lease)
        if claimed.busy:
            self.state.release_claims(claimed.mine)
            yield False
            return
        outer = self.in_doubt
        self.in_doubt = {**outer, **claimed.in_doubt}
        try:
            with self.state.transaction():
                yield True
        finally:
            self.in_doubt = outer
        self.state.release_claims(claimed.mine)  # kept after a failure: the next one looks

    def _hold_on(self, held: HeldAlert, hold: Hold) -> Decision:
        # A quiet-hours entry stays in its digest when a silence outlasts the digest time.
        hold = replace(hold, digest=hold.digest or held.digest)
        self.state.rehold(held.key, hold)
        alert = held.alert
        reason = ", ".join(hold.reasons)
        silenced = next((n for n in map(silence_id, hold.reasons) if n is not None), None)
        if silenced is not None and silence_label(silenced) in held.reasons:
            silenced = None  # held by this silence before: counted then
        if silenced is not None:
            self.state.silenced(silenced)
        return Decision(
            HELD,
            alert.message_id,
            alert,
            held.severity,
            reason,
            held_until=hold.until,
            silence=silenced,
        )

    def _release(self, held: HeldAlert) -> Decision:
        record = self.state.alarm(held.key)
        told = record.notified_state if record else None
        alert = held.alert
        if settled(alert.state, told) and alert.resolvable:
            self.state.release(held.key)
            path = (
                f"{held.first_state.value} -> {alert.state.value}"
                if held.transitions > 1
                else alert.state.value
            )
            return Decision(
                SUPPRESSED,
                alert.message_id,
                alert,
                held.severity,
                f"{path} within the hold ({', '.join(held.reasons)}): nothing new to tell",
            )
        decision = self._deliver(alert, held.severity, told, alert.message_id)
        if decision.action == RETRY:
            self.state.retry_later(
                held.key, self.clock() + _held_backoff(held.attempts, decision.retry_after)
            )
        else:
            self.state.release(held.key)
        if decision.action == DEAD:
            log.error("held %s %s dropped: %s", held.severity, alert.name, decision.reason)
        return decision

    def _digest(self, severity: str, entries: list[HeldAlert]) -> Decision:
        digest_id = (
            "digest:"
            + hashlib.sha256(
                "|".join(f"{e.key}@{e.held_at.isoformat()}" for e in entries).encode()
            ).hexdigest()[:24]
        )
        items = []
        for held in entries:
            record = self.state.alarm(held.key)
            told = record.notified_state if record else None
            items.append(
                DigestEntry(
                    self.notification(held.alert, severity, told),
                    held.first_state,
                    held.transitions,
                    held.held_at,
                )
            )
        decision = Decision(DELIVERED, digest_id, None, severity, f"digest of {len(items)}")
        done = self.state.accepted_by(digest_id)
        failures: list[DeliveryFailed] = []
        now = self.clock()
        for destination in self.destinations.get(severity, []):
            if destination.id in done:
                continue
            hours = self.delivery_hours
            if hours is not None and not hours.open(severity, destination.id, now):
                continue
            try:
                sent = destination.send_digest(severity, items, now)
            except DeliveryFailed as exc:
                log.warning("%s digest: %s", severity, exc)
                failures.append(exc)
                continue
            self.state.accepted(digest_id, destination.id, self.clock())
            decision.sent.append((destination.label, sent.action))
        if failures and not all(f.permanent for f in failures):
            attempts = max(e.attempts for e in entries)
            later = now + _held_backoff(attempts, None)
            for held in entries:
                self.state.retry_later(held.key, later)
            return self._failed(decision, failures)
        for item in items:
            if not settled(item.notification.alert.state, item.notification.told):
                self.state.notified(item.notification.alert, self.clock())
            self.state.release(item.notification.alert.key)
        return self._failed(decision, failures) if failures else decision

    # --- pages awaiting acknowledgement ----------------------------------------------------

    def _track_page(self, alert: Alert, severity: str, decision: Decision) -> None:
        """A trigger starts the acknowledgement clock; a resolve stops it (and its re-page)."""
        sent = {action for label, action in decision.sent if label == "PagerDuty"}
        if alert.state is AlertState.ALARM and "trigger" in sent:
            seconds = self.policy.response_time(severity)
            if seconds is not None:
                now = self.clock()
                self.state.paged(alert, severity, now, now + timedelta(seconds=seconds))
        elif alert.state is AlertState.OK:
            page = self.state.page(alert.key)
            if page is not None and page.outcome == REPAGED:
                for destination in self._repage_targets(page.severity):
                    try:
                        destination.resolve_repage(alert.key)
                    except DeliveryFailed as exc:
                        log.warning("resolve of the re-page of %s: %s", alert.name, exc)
                        continue
                    decision.sent.append((destination.label, "resolve re-page"))
            self.state.unpaged(alert.key)

    def _repage_targets(self, severity: str) -> list[PagerDutyDestination]:
        if self.repage_destinations is not None:
            return self.repage_destinations
        own = self.destinations.get(severity, [])
        return [d for d in own if isinstance(d, PagerDutyDestination)]

    def next_page_due(self) -> datetime | None:
        return self.state.next_page_due()

    def repage_due(self) -> list[Decision]:
        """Pages unacknowledged at their response time: re-page the escalation target, once."""
        decisions = []
        now = self.clock()
        for due in self.state.pages_due(now):
            with self._claimed(due.key) as mine:
                page = self.state.page(due.key) if mine else None
                if page is not None and page.outcome is None and page.due_at <= now:
                    decisions.append(self._repage_or_settle(page, now))
        return decisions

    def _repage_or_settle(self, page: Page, now: datetime) -> Decision:
        alert = page.alert
        if self.acknowledged is not None:
            try:
                acknowledged = self.acknowledged(alert.key)
            except Exception as exc:  # unknown counts as unacknowledged: re-page
                log.warning("acknowledgement check failed: %s", exc)
                acknowledged = False
            if acknowledged:
                self.state.settle_page(page.key, ACKNOWLEDGED, now)
                return Decision(
                    ACKNOWLEDGED,
                    None,
                    alert,
                    page.severity,
                    "acknowledged or resolved in PagerDuty within the response time",
                )
        return self._repage(page)

    def _repage(self, page: Page) -> Decision:
        repage_id = f"repage:{page.key}@{page.paged_at.isoformat()}"
        waited = _duration(int((page.due_at - page.paged_at).total_seconds()))
        notification = self.notification(page.alert, page.severity, AlertState.ALARM)
        decision = Decision(
            REPAGED, repage_id, page.alert, page.severity, f"not acknowledged within {waited}"
        )
        done = self.state.accepted_by(repage_id)
        failures: list[DeliveryFailed] = []
        for destination in self._repage_targets(page.severity):
            if destination.id in done:
                continue
            try:
                sent = destination.repage(notification, waited)
            except DeliveryFailed as exc:
                log.warning("re-page of %s: %s", page.alert.name, exc)
                failures.append(exc)
                continue
            self.state.accepted(repage_id, destination.id, self.clock())
            decision.sent.append((destination.label, sent.action))
        if failures and not all(f.permanent for f in failures):
            return self._failed(decision, failures)  # due still: tried again next round
        self.state.settle_page(page.key, REPAGED, self.clock())
        return self._failed(decision, failures) if failures else decision

    # --- escalation ----------------------------------------------------------------------

    def escalate_due(self) -> list[Decision]:
        """Pages still in ALARM, unacknowledged, past their time: tell the escalation contact."""
        if self.escalation_contact is None:
            return []
        decisions = []
        now = self.clock()
        for candidate in self.state.escalation_candidates():
            with self._claimed(candidate.key) as mine:
                record = self.state.alarm(candidate.key) if mine else None
                if record is not None and record.escalated_at is None:
                    decision = self._escalate_or_settle(record, now)
                    if decision is not None:
                        decisions.append(decision)
        return decisions

    def _escalate_or_settle(self, record: AlarmRecord, now: datetime) -> Decision | None:
        if record.notified_state is not AlertState.ALARM or record.acknowledged_at is not None:
            return None
        after = (
            self.policy.escalate_after(record.severity)
            if record.severity in self.policy.routing.severities
            else None
        )
        if after is None or record.notified_at is None or record.notified_alert is None:
            return None
        if now - record.notified_at < timedelta(seconds=after):
            return None
        alert = record.notified_alert
        if self.acknowledged is not None:
            try:
                acknowledged = self.acknowledged(alert.key)
            except Exception as exc:  # unknown counts as unacknowledged: escalate
                log.warning("acknowledgement check failed: %s", exc)
                acknowledged = False
            if acknowledged:
                self.state.acknowledged(record.key, now)
                return Decision(
                    ACKNOWLEDGED, None, alert, record.severity, "acknowledged in PagerDuty"
                )
        return self._escalate(record.severity, alert, after, record.notified_at)

    def _escalate(self, severity: str, alert: Alert, after: int, since: datetime) -> Decision:
        escalation_id = f"escalation:{alert.key}@{since.isoformat()}"
        notification = self.notification(alert, severity, AlertState.ALARM)
        waited = _duration(after)
        targets = [d for d in self.destinations.get(severity, []) if d.id.startswith("slack:")]
        targets += self.escalation_destinations
        decision = Decision(
            ESCALATED, escalation_id, alert, severity, f"to {self.escalation_contact}"
        )
        done = self.state.accepted_by(escalation_id)
        failures: list[DeliveryFailed] = []
        for destination in targets:
            if destination.id in done:
                continue
            try:
                sent = destination.escalate(
                    notification,
                    self.escalation_contact or "",
                    waited,
                    self.state.thread(alert.key, destination.id),
                )
            except DeliveryFailed as exc:
                failures.append(exc)
                continue
            self.state.accepted(escalation_id, destination.id, self.clock())
            decision.sent.append((destination.label, sent.action))
        if failures and not all(f.permanent for f in failures):
            return self._failed(decision, failures)
        self.state.escalated(alert.key, self.clock())
        return decision


def _held_backoff(attempts: int, retry_after: float | None) -> timedelta:
    backoff = min(HELD_RETRY * (2**attempts), HELD_RETRY_MAX)
    return max(backoff, timedelta(seconds=retry_after or 0))


def _duration(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def _earliest(*times: datetime | None) -> datetime | None:
    """Since when something may have gone out unrecorded (None: nothing may have)."""
    known = [t for t in times if t is not None]
    return min(known) if known else None
