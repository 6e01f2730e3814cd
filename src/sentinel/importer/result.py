"""What an import did: the files written, what each kind became, and what it could not keep."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class NotRepresented:
    """A resource left out of the config, and why; an import drops nothing without saying so."""

    kind: str
    name: str
    reason: str


@dataclass(frozen=True)
class EnvReference:
    """A secret found in AWS, written to the config as ``env:NAME``: NAME must be set."""

    name: str
    what: str


@dataclass(frozen=True)
class StaticFallback:
    """Alarms that differ only by resource but stay static rules: no filter selects them."""

    rule: str
    alarms: int
    reason: str


@dataclass
class ImportResult:
    project: str
    directory: Path
    files: dict[Path, Counter[str]] = field(default_factory=dict)
    imported: Counter[str] = field(default_factory=Counter)
    """Kind -> AWS resources written to the config."""
    rules: int = 0
    templates: int = 0
    env: list[EnvReference] = field(default_factory=list)
    not_represented: list[NotRepresented] = field(default_factory=list)
    static_fallbacks: list[StaticFallback] = field(default_factory=list)
    managed: list[NotRepresented] = field(default_factory=list)
    """What another Sentinel project manages, left out; ``reason`` names that project."""
    deleted: list[NotRepresented] = field(default_factory=list)
    """What this project's tag marks and the config does not write: the next apply deletes it;
    ``reason`` says where."""
    read_calls: int = 0
    kept: list[Path] = field(default_factory=list)
    """Configuration files already in the directory that the import did not replace (--force):
    kept as they were, and not compared with what was read."""

    @property
    def collapse_ratio(self) -> float:
        """Alarms per alarm rule written."""
        return self.imported["alarm"] / self.rules if self.rules else 0.0

    def skip(self, kind: str, name: str, reason: str) -> None:
        self.not_represented.append(NotRepresented(kind, name, reason))
