"""plan: desired vs actual per kind. apply: the plan's changes, in dependency order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import botocore.exceptions

from sentinel.aws.failures import AWS_FAILURES, describe
from sentinel.errors import AwsError, ConfigError, SentinelError
from sentinel.gc_pause import gc_paused
from sentinel.sync.composite_expansion import unplanned_composites
from sentinel.sync.context import SyncContext
from sentinel.sync.diff import field_changes
from sentinel.sync.kind import Kind
from sentinel.sync.kinds import all_kinds
from sentinel.sync.model import (
    Action,
    ApplyReport,
    Change,
    Conflict,
    Kept,
    Plan,
    PlanWarning,
    Result,
    State,
)
from sentinel.sync.preflight import check_plan
from sentinel.sync.templates import unmatched_templates

DEFAULT_CONCURRENCY = 8
T = TypeVar("T")


@gc_paused()
def plan(ctx: SyncContext, kinds: Sequence[Kind] | None = None) -> Plan:
    """Compare the config with AWS. Reads only; resources of other owners are never changed.
    What several kinds read (the metric alarms, the topics, owners' tags) is read once."""
    with ctx.planning():
        return _plan(ctx, kinds)


def _plan(ctx: SyncContext, kinds: Sequence[Kind] | None) -> Plan:
    kinds = list(kinds) if kinds is not None else all_kinds()
    result = Plan(project=ctx.project, region=ctx.region)
    wanted = {kind.name: kind.desired(ctx) for kind in kinds}
    blocked: dict[str, str] = {}  # ARN -> "topic shop-critical": not Sentinel's, not to be used
    for kind in kinds:
        desired = _by_key(wanted[kind.name])
        actual = _by_key(_read(kind, kind.actual, ctx))
        result.desired[kind.name], result.actual[kind.name] = desired, actual
        # The owner of every actual resource is known: those the config names, to tell the
        # project's own from one to adopt or another's; the others, to tell what to delete.
        # The Tagging API answers 100 ARNs a request (see each kind's owners).
        owners = _read(kind, kind.owners, ctx, list(actual.values())) if actual else {}
        owned_keys = {key for key in actual if owners.get(key) == ctx.project}
        result.managed[kind.name] = len(owned_keys)
        for key, want in desired.items():
            have = actual.get(key)
            refs = kind.references(ctx, want) if blocked else set()
            using = sorted(blocked[arn] for arn in refs if arn in blocked)
            changes = field_changes(want, have)
            if have is not None and key not in owned_keys:
                owner = owners.get(key)
                if owner is None and not changes and not using:
                    result.changes.append(Change(kind.name, key, Action.ADOPT, want, have))
                    continue
                if owner is not None:
                    message = (
                        f"exists in AWS, owned by project {owner!r}; Sentinel will not change it"
                    )
                elif changes:
                    differ = ", ".join(change.field for change in changes)
                    message = kind.refusal(ctx, want, have) or (
                        "exists in AWS, owned by no Sentinel project (created by hand?), and "
                        f"differs from the config in {differ}; Sentinel adopts only a resource "
                        "identical to its config (`sentinel import` writes a config that matches "
                        "it) and will not change it"
                    )
                else:  # identical, but what it points at is not Sentinel's
                    message = _points_at(using)
                if kind.depended_on and (owner is not None or changes):
                    message += " and nothing it writes will point at it"
                    if have.arn:
                        blocked[have.arn] = f"{kind.name} {key}"
                result.conflicts.append(Conflict(kind.name, key, message))
            elif changes and using:
                result.conflicts.append(Conflict(kind.name, key, _points_at(using)))
            elif have is None:
                result.changes.append(Change(kind.name, key, Action.CREATE, want, None, changes))
            elif not changes:
                result.unchanged += 1
            else:
                action = Action.UPDATE if kind.updatable else Action.REPLACE
                result.changes.append(Change(kind.name, key, action, want, have, changes))
        for key, have in actual.items():
            if key not in desired and owners.get(key) == ctx.project:
                reason = kind.keeps(ctx, have)
                if reason is not None:
                    result.kept.append(Kept(kind.name, key, reason))
                    continue
                result.changes.append(
                    Change(kind.name, key, Action.DELETE, None, have, field_changes(None, have))
                )
    # Every request apply would send is checked before it sends one: apply never fails
    # half-way on one. A resource AWS has as the config wants it is sent nothing.
    written = {(c.kind, c.key) for c in result.changes if c.desired is not None}
    problems = check_plan(ctx, kinds, wanted, written)
    if problems:
        raise ConfigError(problems)
    result.warnings = _read_templates(ctx)
    return result


def _points_at(using: list[str]) -> str:
    return (
        f"points at {', '.join(using)}, which Sentinel does not own (see its conflict); not "
        "applied until that is resolved"
    )


def _read_templates(ctx: SyncContext) -> list[PlanWarning]:
    """Templates that match nothing, and composites left out because an aggregate of theirs has
    nothing to aggregate (the inventory's listings are cached: no second read)."""
    try:
        unmatched = unmatched_templates(ctx.config, ctx.inventory, ctx.region)
        return unmatched + unplanned_composites(ctx)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise AwsError(f"cannot read the inventory: {_describe(exc)}") from exc


def _by_key(states: list[State]) -> dict[str, State]:
    return {state.key: state for state in states}


def _read(kind: Kind, read: Callable[..., T], *args: object) -> T:
    """A read of AWS state; a failure retries could not fix becomes an AwsError."""
    try:
        return read(*args)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise AwsError(f"cannot read {kind.label}: {_describe(exc)}") from exc


def apply(
    ctx: SyncContext,
    plan: Plan,
    kinds: Sequence[Kind] | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    on_result: Callable[[Result], None] | None = None,
) -> ApplyReport:
    """Write the plan's changes: creates and updates in dependency order, deletions reversed.

    Each resource's result is recorded; a failure does not stop the others, and a re-run of
    plan + apply finishes the job (every write is idempotent).
    """
    kinds = list(kinds) if kinds is not None else all_kinds()
    by_name = {kind.name: kind for kind in kinds}
    report = ApplyReport()
    order = [k.name for k in kinds]
    waves: list[list[Change]] = []
    for name in order:
        writes = [c for c in plan.changes if c.kind == name and c.action is not Action.DELETE]
        waves.extend([[c] for c in writes] if by_name[name].ordered else [writes])
    for name in reversed(order):
        deletes = [c for c in plan.changes if c.kind == name and c.action is Action.DELETE]
        waves.extend([[c] for c in reversed(deletes)] if by_name[name].ordered else [deletes])

    def run(change: Change) -> Result:
        kind = by_name[change.kind]
        try:
            _write(ctx, kind, change)
        except (
            botocore.exceptions.BotoCoreError,
            botocore.exceptions.ClientError,
            SentinelError,
        ) as exc:
            return Result(change, _describe(exc, name_call=False))
        return Result(change)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        for wave in waves:
            for result in pool.map(run, wave):
                report.results.append(result)
                if on_result:
                    on_result(result)
    return report


def _write(ctx: SyncContext, kind: Kind, change: Change) -> None:
    if change.action is Action.ADOPT:
        assert change.actual is not None
        kind.adopt(ctx, change.actual)
    elif change.action is Action.CREATE:
        assert change.desired is not None
        kind.create(ctx, change.desired)
    elif change.action is Action.UPDATE:
        assert change.desired is not None and change.actual is not None
        kind.update(ctx, change.desired, change.actual)
    elif change.action is Action.REPLACE:
        assert change.desired is not None and change.actual is not None
        kind.delete(ctx, change.actual)
        kind.create(ctx, change.desired)
    else:
        assert change.actual is not None
        kind.delete(ctx, change.actual)


def _describe(exc: Exception, name_call: bool = True) -> str:
    return describe(exc, name_call) if isinstance(exc, AWS_FAILURES) else str(exc)
