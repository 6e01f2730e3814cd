"""The small surface every managed kind has: desired, actual, owners, and writes."""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext
    from sentinel.sync.model import State

_ARN = re.compile(r"arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]*:[^\s\"',\]\)]+")


class Kind(ABC):
    """One kind of managed resource (topic, alarm, dashboard, ...).

    ``desired`` builds normalised states from the config; ``actual`` reads the project's
    candidates from AWS in pages (by name prefix, and the names the config gives outside it;
    never one call per resource where a batch call exists) normalised the same way; ``owners``
    reads the ``sentinel:project`` tag of the actual states (in batches where the tag API has
    them); the writes change one resource each. The engine knows nothing more.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    # False when AWS has no update call: an update becomes delete + create.
    updatable: ClassVar[bool] = True
    # True when resources of the kind depend on each other: the plan lists them in dependency
    # order and apply writes them one at a time in that order (deletions in reverse).
    ordered: ClassVar[bool] = False
    # True for kinds others point at (topics): every actual resource's owner is read, and one
    # of the project's name that Sentinel does not own blocks each change that points at it.
    depended_on: ClassVar[bool] = False
    # The AWS API calls the kind makes, "<IAM prefix>:<Operation>" (``sentinel iam-policy``):
    # ``reads`` in desired, actual and owners (plan), ``writes`` in create, update and delete.
    reads: ClassVar[tuple[str, ...]] = ()
    writes: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def desired(self, ctx: SyncContext) -> list[State]: ...

    @abstractmethod
    def actual(self, ctx: SyncContext) -> list[State]: ...

    @abstractmethod
    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        """The ``sentinel:project`` tag value of each state's resource (None when untagged)."""

    @abstractmethod
    def create(self, ctx: SyncContext, state: State) -> None: ...

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        """Most AWS put-calls are upserts: an update writes the desired state again."""
        self.create(ctx, desired)

    @abstractmethod
    def delete(self, ctx: SyncContext, state: State) -> None: ...

    @abstractmethod
    def adopt(self, ctx: SyncContext, state: State) -> None:
        """Tag an unowned resource identical to its config (the actual ``state``) with the
        project's tags (``ctx.tags``, ownership included), with the kind's tag call; nothing
        else is written."""

    def refusal(self, ctx: SyncContext, desired: State, actual: State) -> str | None:
        """Why an unowned resource that differs from the config is not changed, in the kind's
        words (None: the engine's general message)."""
        return None

    def keeps(self, ctx: SyncContext, state: State) -> str | None:
        """Why an owned resource that is not in the config stays (None: it is deleted)."""
        return None

    def references(self, ctx: SyncContext, state: State) -> set[str]:
        """ARNs a desired state points at (alarm actions, a subscription's topic)."""
        return set(_ARN.findall(json.dumps([state.fields, state.payload], default=str)))
