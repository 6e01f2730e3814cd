"""Checks of ``log_groups:`` across files: one retention per log group."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.models.log_groups import is_pattern
from sentinel.config.models.monitors import MonitorsFile


def check_log_groups(model: MonitorsFile, source: Source, build: Assembly) -> None:
    """A log group named exactly by two entries would get two retentions: an error.

    Patterns that overlap are known only against the account's groups; the plan reports a group
    matched by two entries (see sentinel.sync.log_retention).
    """
    refs, seen = build.refs, build.claims
    for e, entry in enumerate(model.log_groups):
        for g, group in enumerate(entry.groups):
            if is_pattern(group):
                continue
            spot = source.where("log_groups", e, "groups", g)
            key = ("log group", group)
            if key in seen and seen[key][0] != entry.name:
                other, other_spot = seen[key]
                refs.problems.append(
                    spot.problem(
                        f"log group {group!r} is in log_groups {entry.name!r} and {other!r} "
                        f"({other_spot}): a group has one retention"
                    )
                )
            else:
                seen.setdefault(key, (entry.name, spot))
