"""What the engine reasons about: resource states, changes between them, and plans."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sentinel.config.secrets import SENSITIVE


@dataclass(frozen=True)
class State:
    """One resource of one kind, desired or actual, with normalised comparable fields.

    ``fields`` is what the plan compares and shows; ``payload`` is what a kind needs to write it
    (API parameters), and only desired states carry one. Fields named in ``sensitive`` are
    compared but shown as ``(sensitive)``.
    """

    kind: str
    key: str
    fields: Mapping[str, Any]
    sensitive: frozenset[str] = frozenset()
    source: str | None = None
    payload: Any = None
    arn: str | None = None


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    DELETE = "delete"
    # Exists in AWS as the config has it, without the ownership tag: apply tags it, nothing else.
    ADOPT = "adopt"

    @property
    def symbol(self) -> str:
        symbols = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "adopt": "<="}
        return symbols[self.value]


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any
    sensitive: bool = False

    def shown(self) -> tuple[Any, Any]:
        if self.sensitive:
            return (
                SENSITIVE if self.old is not None else None,
                SENSITIVE if self.new is not None else None,
            )
        return self.old, self.new


@dataclass(frozen=True)
class Change:
    kind: str
    key: str
    action: Action
    desired: State | None = None
    actual: State | None = None
    fields: tuple[FieldChange, ...] = ()

    @property
    def source(self) -> str | None:
        return self.desired.source if self.desired else None


@dataclass(frozen=True)
class Conflict:
    """A resource Sentinel would write but does not own (same name, other owner)."""

    kind: str
    key: str
    message: str


@dataclass(frozen=True)
class PlanWarning:
    """Something the plan does not change but a reviewer should know, at its file:line."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: warning: {self.message}"


@dataclass(frozen=True)
class Kept:
    """A resource Sentinel owns that is not in the config, left in place (and why)."""

    kind: str
    key: str
    reason: str


@dataclass
class Plan:
    project: str
    region: str
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    managed: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    warnings: list[PlanWarning] = field(default_factory=list)
    # What was compared, per kind: the desired and the actual states by key.
    desired: dict[str, dict[str, State]] = field(default_factory=dict)
    actual: dict[str, dict[str, State]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.changes

    def unchanged_keys(self) -> list[tuple[str, str]]:
        """(kind, key) of the resources in the config and in AWS that the plan leaves alone."""
        touched = {(c.kind, c.key) for c in self.changes}
        touched |= {(c.kind, c.key) for c in self.conflicts}
        return [
            (kind, key)
            for kind, states in self.desired.items()
            for key in states
            if key in self.actual.get(kind, {}) and (kind, key) not in touched
        ]

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action is action)

    def without_states(self) -> Plan:
        """The plan without the states it compared (``desired``, ``actual``): what is shown and
        counted, small enough to send from one process to another."""
        return replace(self, desired={}, actual={})

    @property
    def deletions(self) -> list[Change]:
        return [c for c in self.changes if c.action is Action.DELETE]

    @property
    def managed_total(self) -> int:
        return sum(self.managed.values())

    @property
    def drift(self) -> list[Change]:
        """The changes that are drift: an adoption is a resource as configured, only unowned."""
        return [c for c in self.changes if c.action is not Action.ADOPT]

    def summary(self) -> str:
        if self.is_empty:
            return "No changes. AWS matches the configuration."
        adopting = self.count(Action.ADOPT)
        parts = [f"{adopting} to adopt"] if adopting else []
        parts += [
            f"{self.count(Action.CREATE)} to create",
            f"{self.count(Action.UPDATE)} to update",
            f"{self.count(Action.REPLACE)} to replace",
            f"{self.count(Action.DELETE)} to delete",
        ]
        return "Plan: " + ", ".join(parts) + "."


@dataclass(frozen=True)
class Result:
    change: Change
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ApplyReport:
    results: list[Result] = field(default_factory=list)

    @property
    def failed(self) -> list[Result]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed
