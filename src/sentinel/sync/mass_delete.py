"""The mass-deletion guard: a plan that deletes much of one kind needs ``--allow-mass-delete``.

A config with a file left out (13 of 15 alarms gone) or an empty directory must not wipe an
account, so the share is judged per kind, not over everything the project manages: deleting
more than ``SHARE`` of a kind's managed resources (at least ``FLOOR`` of them), more than
``COUNT`` of one kind at once, or everything the project manages is refused unless allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sentinel.errors import RefusedError
from sentinel.sync.model import Plan


@dataclass(frozen=True)
class MassDeleteLimits:
    share: float = 0.5  # more than half of a kind's managed resources...
    floor: int = 2  # ...once at least this many go: removing one of one rule is not a mass delete
    count: int = 25  # more than this many of one kind at once, whatever the share


LIMITS = MassDeleteLimits()


@dataclass(frozen=True)
class KindDeletion:
    kind: str
    deleting: int
    managed: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.deleting} of {self.managed} managed {self.kind}s ({', '.join(self.reasons)})"


def mass_deletions(plan: Plan, limits: MassDeleteLimits = LIMITS) -> list[KindDeletion]:
    """The kinds whose deletions in the plan go over the limits."""
    deleting: dict[str, int] = {}
    for change in plan.deletions:
        deleting[change.kind] = deleting.get(change.kind, 0) + 1
    found = []
    for kind, count in deleting.items():
        managed = max(plan.managed[kind], count)
        reasons = []
        if count >= limits.floor and count > limits.share * managed:
            reasons.append(f"more than {limits.share:.0%}")
        if count > limits.count:
            reasons.append(f"more than {limits.count} at once")
        if reasons:
            found.append(KindDeletion(kind, count, managed, tuple(reasons)))
    return found


def check_mass_delete(
    plan: Plan, allow_mass_delete: bool, limits: MassDeleteLimits = LIMITS
) -> None:
    """Refuse a plan over the limits, naming each kind with its counts."""
    deleting = len(plan.deletions)
    if allow_mass_delete or deleting == 0:
        return
    kinds = mass_deletions(plan, limits)
    everything = deleting >= plan.managed_total
    if not kinds and not everything:
        return
    what = "; ".join(str(k) for k in kinds)
    if everything:
        what = f"{deleting} of {plan.managed_total} managed resources, everything" + (
            f": {what}" if what else ""
        )
    raise RefusedError(
        f"the plan deletes {what}. A config with a file left out, an empty directory or a "
        "mistyped path must not wipe an account: check -C and the config, or pass "
        "--allow-mass-delete if this is intended"
    )
