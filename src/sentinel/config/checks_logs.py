"""Checks of ``log_groups:`` across files: one retention per log group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sentinel.config.models.log_groups import is_pattern
from sentinel.config.models.monitors import MonitorsFile
from sentinel.config.references import References, Where


def check_log_groups(
    model: MonitorsFile,
    file: str,
    data: Any,
    refs: References,
    where: Callable[..., Where],
    seen: dict[str, tuple[str, Where]],
) -> None:
    """A log group named exactly by two entries would get two retentions: an error.

    Patterns that overlap are known only against the account's groups; the plan reports a group
    matched by two entries (see sentinel.sync.log_retention).
    """
    for e, entry in enumerate(model.log_groups):
        for g, group in enumerate(entry.groups):
            if is_pattern(group):
                continue
            spot = where(file, data, "log_groups", e, "groups", g)
            if group in seen and seen[group][0] != entry.name:
                other, other_spot = seen[group]
                refs.problems.append(
                    spot.problem(
                        f"log group {group!r} is in log_groups {entry.name!r} and {other!r} "
                        f"({other_spot}): a group has one retention"
                    )
                )
            else:
                seen.setdefault(group, (entry.name, spot))
