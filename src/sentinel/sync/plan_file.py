"""Saved plans: ``plan --out FILE`` writes one, ``apply FILE`` applies exactly it or refuses.

A plan file records what was reviewed: the format version, project, region and account, a
digest of the configuration files, when AWS was read, the targets, and per resource the action,
the desired fields (as the plan shows them: a sensitive field is ``(sensitive)``, never its
value) and a digest of the actual state, for the resources left unchanged too. Applying it
checks each of those against the config and a fresh plan; any difference refuses the apply,
naming what changed, before anything is written.

The actual digest is a sha256 over a canonical JSON of the actual state's fields, sensitive ones
replaced by ``(sensitive)`` (a secret never enters the file, not even hashed; a subscription
whose secret endpoint changes has another key, so it is still seen to change).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from sentinel.config import Config
from sentinel.config.files import config_files
from sentinel.config.loader import read_text
from sentinel.config.secrets import SENSITIVE
from sentinel.errors import PlanFileError, TargetError
from sentinel.sync.model import Action, Change, Plan, State
from sentinel.sync.targets import Target, parse_targets

FORMAT: Literal["sentinel-plan"] = "sentinel-plan"
VERSION = 1
UNCHANGED = "unchanged"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConfigDigest(_Model):
    """sha256 of every config file read (by its path under the config directory) and of all."""

    digest: str
    files: dict[str, str]


class SavedResource(_Model):
    kind: str
    key: str
    action: str  # create, update, replace, delete, adopt (as the plan), or "unchanged"
    source: str | None = None
    desired: dict[str, Any] | None = None
    changed: list[str] = []
    actual_digest: str | None = None


class SavedConflict(_Model):
    kind: str
    key: str
    message: str


class SavedPlan(_Model):
    format: Literal["sentinel-plan"]
    version: int
    project: str
    region: str
    account: str
    config: ConfigDigest
    read_at: datetime
    targets: list[str] = []
    summary: dict[str, int]
    changes: list[SavedResource]
    unchanged: list[SavedResource]
    conflicts: list[SavedConflict] = []

    def resources(self) -> dict[tuple[str, str], SavedResource]:
        return {(r.kind, r.key): r for r in [*self.changes, *self.unchanged]}


# --- digests ---------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_digest(config: Config) -> ConfigDigest:
    """Over the text of each file the loader reads, by its path under the config directory.

    Line ends are normalised and a UTF-8 byte order mark dropped, as the loader reads them, so
    one config checked out on two machines has one digest.
    """
    files: dict[str, str] = {}
    for _kind, path in config_files(config.root):
        text, problem = read_text(path, str(path))
        if problem is not None:
            raise PlanFileError(f"cannot read the configuration: {problem}")
        relative = path.relative_to(config.root).as_posix()
        files[relative] = _sha256(text.replace("\r\n", "\n").encode("utf-8"))
    whole = "".join(f"{name}\0{digest}\n" for name, digest in sorted(files.items()))
    return ConfigDigest(digest=_sha256(whole.encode("utf-8")), files=dict(sorted(files.items())))


def shown_fields(state: State) -> dict[str, Any]:
    """A state's fields as a plan shows them, as JSON values: sensitive ones ``(sensitive)``."""
    fields = {
        name: SENSITIVE if name in state.sensitive and value is not None else value
        for name, value in state.fields.items()
    }
    result: dict[str, Any] = json.loads(json.dumps(fields, default=str))
    return result


def state_digest(state: State) -> str:
    """sha256 over the canonical JSON of the state's shown fields."""
    canonical = json.dumps(
        shown_fields(state), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return _sha256(canonical.encode("utf-8"))


# --- saving ----------------------------------------------------------------------------------


def saved_plan(
    plan: Plan, config: Config, account: str, read_at: datetime, targets: list[str]
) -> SavedPlan:
    """The plan as it is saved (and as a fresh plan is compared with a saved one)."""
    return SavedPlan(
        format=FORMAT,
        version=VERSION,
        project=plan.project,
        region=plan.region,
        account=account,
        config=config_digest(config),
        read_at=read_at,
        targets=targets,
        summary={action.value: plan.count(action) for action in Action}
        | {UNCHANGED: plan.unchanged},
        changes=[_saved_change(change) for change in plan.changes],
        unchanged=[
            SavedResource(
                kind=kind,
                key=key,
                action=UNCHANGED,
                actual_digest=state_digest(plan.actual[kind][key]),
            )
            for kind, key in plan.unchanged_keys()
        ],
        conflicts=[
            SavedConflict(kind=c.kind, key=c.key, message=c.message) for c in plan.conflicts
        ],
    )


def _saved_change(change: Change) -> SavedResource:
    return SavedResource(
        kind=change.kind,
        key=change.key,
        action=change.action.value,
        source=change.source,
        desired=shown_fields(change.desired) if change.desired is not None else None,
        changed=[f.field for f in change.fields] if change.desired and change.actual else [],
        actual_digest=state_digest(change.actual) if change.actual is not None else None,
    )


def write_plan(saved: SavedPlan, path: Path) -> None:
    """Write the file whole or not at all (a temporary file renamed over it)."""
    text = json.dumps(saved.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    directory = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        raise PlanFileError(f"cannot write the plan to {path}: {exc.strerror or exc}") from exc


# --- loading and checking --------------------------------------------------------------------


def load_plan(path: Path) -> SavedPlan:
    """Read a plan file; a corrupt one, or one of another format version, is refused."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise PlanFileError(f"cannot read the plan file {path}: {reason}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(
            f"{path}:{exc.lineno}:{exc.colno}: not a plan file: invalid JSON ({exc.msg})"
        ) from exc
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise PlanFileError(
            f'{path}: not a plan file of Sentinel (no "format": {json.dumps(FORMAT)}); '
            "write one with `sentinel plan --out FILE`"
        )
    version = data.get("version")
    if version != VERSION:
        raise PlanFileError(
            f"{path}: plan file format version {json.dumps(version)}; this Sentinel reads "
            f"version {VERSION}: make the plan again with this version"
        )
    try:
        return SavedPlan.model_validate(data)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(p) for p in error['loc']) or '(top)'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise PlanFileError(f"{path}: a corrupt plan file: " + "; ".join(problems)) from exc


def check_saved(saved: SavedPlan, path: Path, config: Config, region: str, account: str) -> None:
    """The plan is of this project, region and account, and the config did not change since."""
    if saved.project != config.name:
        raise PlanFileError(
            f"{path} is a plan of project {saved.project!r}; the configuration in "
            f"{config.root} is project {config.name!r}"
        )
    if saved.region != region:
        raise PlanFileError(f"{path} was made for region {saved.region}, not {region}")
    if saved.account != account:
        raise PlanFileError(f"{path} was made for account {saved.account}, not {account}")
    now = config_digest(config)
    if now.digest != saved.config.digest:
        names = sorted(set(now.files) | set(saved.config.files))
        changed = [
            f"{name} ({_file_change(saved.config.files.get(name), now.files.get(name))})"
            for name in names
            if saved.config.files.get(name) != now.files.get(name)
        ]
        raise PlanFileError(
            f"the configuration changed since {path} was made: {', '.join(changed)}; nothing "
            "was written. Make and review the plan again"
        )


def _file_change(before: str | None, after: str | None) -> str:
    if before is None:
        return "added"
    if after is None:
        return "removed"
    return "changed"


def check_fresh(saved: SavedPlan, fresh: SavedPlan, path: Path) -> None:
    """A fresh plan equals the saved one, resource by resource; else name what changed."""
    old, new = saved.resources(), fresh.resources()
    conflicts = {(c.kind, c.key): c.message for c in fresh.conflicts}
    reasons: list[str] = []
    for ident in sorted(set(old) | set(new)):
        reason = _difference(old.get(ident), new.get(ident), conflicts.get(ident))
        if reason is not None:
            reasons.append(f"{ident[0]} {ident[1]}: {reason}")
    if reasons:
        lines = "\n".join(f"  - {reason}" for reason in reasons)
        raise PlanFileError(
            f"{path} is stale: {len(reasons)} resource(s) changed since it was made "
            f"(AWS read at {saved.read_at.isoformat(timespec='seconds')}); nothing was "
            f"written. Make and review the plan again:\n{lines}"
        )


def _difference(
    before: SavedResource | None, after: SavedResource | None, conflict: str | None
) -> str | None:
    if before is None:
        assert after is not None
        return f"not in the saved plan; now to {after.action} (changed in AWS since)"
    if after is None:
        if conflict is not None:
            return f"now a conflict: {conflict}"
        return f"was to {before.action}; now out of the plan (changed in AWS since)"
    if before.actual_digest is not None and after.actual_digest is None:
        return "deleted in AWS since the plan was made"
    if before.actual_digest is None and after.actual_digest is not None:
        return f"created in AWS since the plan was made (now to {after.action})"
    if before.actual_digest != after.actual_digest:
        now = "" if after.action == before.action else f" (now to {after.action})"
        return f"changed in AWS since the plan was made{now}"
    if before.action != after.action:
        return f"was to {before.action}; now to {after.action}"
    if before.desired != after.desired:
        return "its desired state changed since the plan was made (the inventory or a secret)"
    return None


def saved_targets(saved: SavedPlan, path: Path, given: Sequence[Target]) -> list[Target]:
    """The targets a saved plan was made with; ``--target`` may repeat them, not change them."""
    try:
        targets = parse_targets(saved.targets)
    except TargetError as exc:
        raise PlanFileError(f"{path}: a corrupt plan file: targets: {exc}") from exc
    if given and set(given) != set(targets):
        recorded = ", ".join(saved.targets) or "none"
        raise PlanFileError(
            f"{path} was made with the targets {recorded}; apply of a saved plan uses its "
            "targets: leave --target out"
        )
    return targets
