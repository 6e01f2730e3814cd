"""The plan read again after an apply waited for the lock: the same for one account and many."""

from __future__ import annotations

from rich.console import Console

from sentinel.errors import RefusedError
from sentinel.sync.mass_delete import check_mass_delete
from sentinel.sync.model import Plan
from sentinel.sync.render import plan_json, render_plan


def plan_again(
    console: Console,
    confirmed: Plan,
    fresh: Plan,
    auto_approve: bool,
    allow_mass_delete: bool,
    compact: bool,
) -> Plan:
    """``fresh`` (the plan as AWS is now) when it is the one confirmed. When it differs it is
    refused, unless apply was approved in advance: then it is shown on ``console`` and checked
    for mass deletion like any plan before it is applied."""
    if plan_json(fresh)["changes"] == plan_json(confirmed)["changes"]:
        return fresh
    if not auto_approve:
        raise RefusedError(
            "another apply changed AWS while this one waited for the lock; nothing was "
            "written: run apply again to review the new plan"
        )
    console.print(
        "Another apply changed AWS while this one waited for the lock; the plan now:",
        soft_wrap=True,
    )
    render_plan(fresh, console, compact=compact)
    check_mass_delete(fresh, allow_mass_delete)
    return fresh
