"""plan: desired vs actual per kind. apply: the plan's changes, in dependency order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import botocore.exceptions

from sentinel.aws.failures import AWS_FAILURES, describe
from sentinel.errors import AwsError, ConfigError, RefusedError, SentinelError
from sentinel.sync.context import SyncContext
from sentinel.sync.diff import field_changes
from sentinel.sync.kind import Kind
from sentinel.sync.kinds import all_kinds
from sentinel.sync.model import (
    Action,
    ApplyReport,
    Change,
    Conflict,
    Plan,
    PlanWarning,
    Result,
    State,
)
from sentinel.sync.preflight import check_plan
from sentinel.sync.templates import unmatched_templates

DEFAULT_CONCURRENCY = 8
T = TypeVar("T")


def plan(ctx: SyncContext, kinds: Sequence[Kind] | None = None) -> Plan:
    """Compare the config with AWS. Reads only; resources of other owners are never changed."""
    kinds = list(kinds) if kinds is not None else all_kinds()
    result = Plan(project=ctx.project, region=ctx.region)
    wanted = {kind.name: kind.desired(ctx) for kind in kinds}
    # Every request apply would send is checked first: apply never fails half-way on one.
    problems = check_plan(ctx, kinds, wanted)
    if problems:
        raise ConfigError(problems)
    for kind in kinds:
        desired = _by_key(wanted[kind.name])
        actual = _by_key(_read(kind, kind.actual, ctx))
        candidates = [
            state
            for key, state in actual.items()
            if key not in desired or field_changes(desired[key], state)
        ]
        owners = _read(kind, kind.owners, ctx, candidates) if candidates else {}
        candidate_keys = {s.key for s in candidates}
        # No-ops are ours by name (no tag read needed); the others by their tag.
        owned_keys = (set(desired) & set(actual)) - candidate_keys
        owned_keys |= {key for key in candidate_keys if owners.get(key) == ctx.project}
        result.managed[kind.name] = len(owned_keys)
        for key, want in desired.items():
            have = actual.get(key)
            if have is None:
                result.changes.append(
                    Change(kind.name, key, Action.CREATE, want, None, field_changes(want, None))
                )
                continue
            changes = field_changes(want, have)
            if not changes:
                result.unchanged += 1
            elif owners.get(key) != ctx.project:
                owner = owners.get(key)
                by = f"project {owner!r}" if owner else "no Sentinel project (created by hand?)"
                result.conflicts.append(
                    Conflict(
                        kind.name, key, f"exists in AWS, owned by {by}; Sentinel will not change it"
                    )
                )
            else:
                action = Action.UPDATE if kind.updatable else Action.REPLACE
                result.changes.append(Change(kind.name, key, action, want, have, changes))
        for key, have in actual.items():
            if key not in desired and owners.get(key) == ctx.project:
                result.changes.append(
                    Change(kind.name, key, Action.DELETE, None, have, field_changes(None, have))
                )
    result.warnings = _read_templates(ctx)
    return result


def _read_templates(ctx: SyncContext) -> list[PlanWarning]:
    """Templates that match nothing (the inventory's listings are cached: no second read)."""
    try:
        return unmatched_templates(ctx.config, ctx.inventory, ctx.region)
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


def check_mass_delete(plan: Plan, allow_mass_delete: bool) -> None:
    """Refuse a plan deleting more than half (or all) of what the project manages."""
    deleting = len(plan.deletions)
    managed = plan.managed_total
    if allow_mass_delete or deleting == 0:
        return
    if deleting >= managed or deleting * 2 > managed:
        raise RefusedError(
            f"the plan deletes {deleting} of {managed} managed resources; an empty or mistyped "
            "config must not wipe an account. Check -C and the config, or pass "
            "--allow-mass-delete if this is intended"
        )


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
    if change.action is Action.CREATE:
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
