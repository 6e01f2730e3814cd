"""``--target KIND[:NAME]``: narrow plan, apply and drift to some resources.

KIND is a kind as plans print it (``alarm``, ``composite alarm``; a kind of two words may be
written with a dash, ``composite-alarm``, or by its first word, ``composite``). NAME is an
fnmatch pattern (``*``, ``?``, ``[...]``) matched against the resource's name as the plan
prints it, or against that name without the project's ``<project>-`` prefix; without NAME,
every resource of the kind is targeted.

The targeted kinds, and the kinds others point at (topics), are compared in full, so the
ownership rules hold as in a whole plan (an alarm is never pointed at a topic Sentinel does not
own, and the mass-deletion guard counts every managed resource of a kind); only the matching
changes, conflicts and kept resources remain in the plan, so only they are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from sentinel.errors import TargetError
from sentinel.naming import prefix
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import plan
from sentinel.sync.kind import Kind
from sentinel.sync.kinds import all_kinds
from sentinel.sync.model import Action, Plan, PlanWarning


@dataclass(frozen=True)
class Target:
    """One ``--target``: a kind (its name as plans print it) and an optional name pattern."""

    kind: str
    pattern: str | None = None

    def __str__(self) -> str:
        return self.kind if self.pattern is None else f"{self.kind}:{self.pattern}"

    def matches(self, kind: str, key: str, project: str) -> bool:
        if kind != self.kind:
            return False
        if self.pattern is None:
            return True
        own = prefix(project)
        short = key[len(own) :] if key.startswith(own) else None
        return fnmatchcase(key, self.pattern) or (
            short is not None and fnmatchcase(short, self.pattern)
        )


def spellings(kind: str) -> list[str]:
    """How a kind may be written in a target: ``composite alarm``, ``composite-alarm``, ..."""
    words = kind.split()
    found = [kind, "-".join(words), words[0]]
    return list(dict.fromkeys(found))


def parse_targets(texts: Iterable[str], kinds: Sequence[Kind] | None = None) -> list[Target]:
    """``KIND[:NAME]`` texts as targets; every unknown kind or empty part at once."""
    names = [kind.name for kind in (kinds if kinds is not None else all_kinds())]
    by_spelling: dict[str, str] = {}
    for name in names:
        for spelling in spellings(name):
            by_spelling.setdefault(spelling, name)
    targets: list[Target] = []
    problems: list[str] = []
    for text in texts:
        kind_text, colon, pattern = text.partition(":")
        kind_text = kind_text.strip()
        if not kind_text:
            problems.append(f"--target {text!r}: no KIND before the ':' (KIND[:NAME])")
            continue
        if colon and not pattern:
            problems.append(f"--target {text!r}: no NAME after the ':' (KIND[:NAME])")
            continue
        kind = by_spelling.get(kind_text) or by_spelling.get(kind_text.lower())
        if kind is None:
            problems.append(
                f"--target {text!r}: unknown kind {kind_text!r}; the kinds are "
                + ", ".join(_listed(name) for name in names)
            )
            continue
        target = Target(kind, pattern if colon else None)
        if target not in targets:
            targets.append(target)
    if problems:
        raise TargetError("; ".join(problems))
    return targets


def _listed(kind: str) -> str:
    others = spellings(kind)[1:]
    return f"{kind} (or {', '.join(others)})" if others else kind


def selects(targets: Sequence[Target], kind: str, key: str, project: str) -> bool:
    """Whether a resource is targeted (everything is when there are no targets)."""
    return not targets or any(t.matches(kind, key, project) for t in targets)


def targeted_kinds(targets: Sequence[Target], kinds: Sequence[Kind] | None = None) -> list[Kind]:
    """The kinds a targeted plan reads: the targeted ones and those others point at."""
    kinds = list(kinds) if kinds is not None else all_kinds()
    if not targets:
        return kinds
    named = {target.kind for target in targets}
    return [kind for kind in kinds if kind.name in named or kind.depended_on]


def narrow(full: Plan, targets: Sequence[Target]) -> Plan:
    """The plan of the targeted resources only; a target that matches nothing is an error.

    A target matches nothing when no resource of its kind and name is in the configuration
    (desired) or in AWS (actual, as the kind reads it).
    """
    if not targets:
        return full
    project = full.project
    unmatched = [
        target
        for target in targets
        if not any(
            target.matches(kind, key, project)
            for states in (full.desired, full.actual)
            for kind, by_key in states.items()
            for key in by_key
        )
    ]
    if unmatched:
        raise TargetError(
            "; ".join(
                f"--target {target} matches nothing: no {target.kind}"
                + (f" named {target.pattern!r}" if target.pattern is not None else "")
                + " in the configuration or in AWS"
                for target in unmatched
            )
        )

    def keep(kind: str, key: str) -> bool:
        return selects(targets, kind, key, project)

    narrowed = Plan(
        project=full.project,
        region=full.region,
        changes=[c for c in full.changes if keep(c.kind, c.key)],
        conflicts=[c for c in full.conflicts if keep(c.kind, c.key)],
        kept=[k for k in full.kept if keep(k.kind, k.key)],
        managed=full.managed,  # the mass-deletion guard judges a kind as a whole
        warnings=full.warnings,
    )
    for kind, by_key in full.desired.items():
        narrowed.desired[kind] = {k: s for k, s in by_key.items() if keep(kind, k)}
    for kind, by_key in full.actual.items():
        narrowed.actual[kind] = {k: s for k, s in by_key.items() if keep(kind, k)}
    narrowed.unchanged = len(narrowed.unchanged_keys())
    return narrowed


def plan_targets(
    ctx: SyncContext, targets: Sequence[Target], kinds: Sequence[Kind] | None = None
) -> Plan:
    """``plan`` of ``kinds`` (default: all) narrowed to the targets (the whole plan when there
    are none)."""
    kinds = targeted_kinds(targets, kinds)
    full = plan(ctx, kinds)
    narrowed = narrow(full, targets)
    if narrowed is not full:
        narrowed.warnings = [*narrowed.warnings, *_left_out(ctx, kinds, full, narrowed)]
    return narrowed


def _left_out(
    ctx: SyncContext, kinds: Sequence[Kind], full: Plan, narrowed: Plan
) -> list[PlanWarning]:
    """Targeted changes pointing at what the whole plan creates but the targets leave out."""
    kept = {(c.kind, c.key) for c in narrowed.changes}
    creates = {
        c.key: c for c in full.changes if c.action is Action.CREATE and (c.kind, c.key) not in kept
    }
    if not creates:
        return []
    by_name = {kind.name: kind for kind in kinds}
    warnings: list[PlanWarning] = []
    for change in narrowed.changes:
        if change.desired is None:
            continue
        for arn in sorted(by_name[change.kind].references(ctx, change.desired)):
            other = creates.get(re.split(r"[:/]", arn)[-1])
            if other is not None:
                warnings.append(
                    PlanWarning(
                        change.source or str(ctx.config.root),
                        f"{change.kind} {change.key} points at {other.kind} {other.key}, which "
                        "is not in AWS yet and not targeted: add "
                        f"--target {'-'.join(other.kind.split())}:{other.key}",
                    )
                )
    return warnings
