"""Which file of a config directory holds which kind of model, and what is not read, and why."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

FOLDERS = ("alarms", "dashboards", "budgets", "monitors")
PROJECT_FILE = "sentinel.yaml"
ROUTING_FILE = "routing.yaml"
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Skipped:
    """Something under a config folder that Sentinel does not read, with the reason."""

    path: Path
    reason: str


def is_yaml_name(path: Path) -> bool:
    """``.yaml`` or ``.yml`` in any case: ``CRITICAL.YAML`` is read like ``critical.yaml``."""
    return path.suffix.lower() in YAML_SUFFIXES


def config_files(root: Path) -> list[tuple[str, Path]]:
    """(kind, path) for every YAML file Sentinel reads under ``root``, in a stable order.

    A YAML name that is not a readable file (a broken symbolic link) is listed too: reading it
    fails with a message, rather than the file being left out without a word.
    """
    return _scan(root)[0]


def skipped_files(root: Path) -> list[Skipped]:
    """What lies under the config folders but is not read, so that it can be named."""
    return _scan(root)[1]


def _scan(root: Path) -> tuple[list[tuple[str, Path]], list[Skipped]]:
    found: list[tuple[str, Path]] = []
    skipped: list[Skipped] = []
    project = _project_file(root, skipped)
    if project is not None:
        found.append(("project", project))
    for folder in FOLDERS:
        directory = root / folder
        if not directory.is_dir():
            continue
        paths, folder_skipped = _walk(directory)
        skipped.extend(folder_skipped)
        for path in paths:
            is_routing = (
                folder == "alarms" and path.parent == directory and path.stem.lower() == "routing"
            )
            found.append(("routing" if is_routing else folder, path))
    return found, sorted(skipped, key=lambda s: str(s.path))


def _project_file(root: Path, skipped: list[Skipped]) -> Path | None:
    """``sentinel.yaml``; else one ``sentinel.yml`` or upper-case spelling of either."""
    exact = root / PROJECT_FILE
    try:
        names = sorted(
            entry.name
            for entry in os.scandir(root)
            if entry.name.lower() in ("sentinel.yaml", "sentinel.yml")
        )
    except OSError:
        names = []
    chosen = PROJECT_FILE if PROJECT_FILE in names else (names[0] if names else None)
    if chosen is None:
        return exact if exact.is_file() else None
    for name in names:
        if name != chosen:
            skipped.append(Skipped(root / name, f"a second project file: {chosen} is read"))
    return root / chosen


def _walk(directory: Path) -> tuple[list[Path], list[Skipped]]:
    """YAML files under ``directory``, following directory links once (a loop is named)."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    visited: set[str] = set()
    for current, dirnames, filenames in os.walk(directory, followlinks=True):
        real = os.path.realpath(current)
        if real in visited:
            dirnames[:] = []
            skipped.append(
                Skipped(Path(current), "a directory link back into itself: not followed")
            )
            continue
        visited.add(real)
        dirnames.sort()
        for name in dirnames:
            path = Path(current, name)
            if is_yaml_name(path):
                skipped.append(
                    Skipped(path, "a directory, not a YAML file (the files in it are read)")
                )
        for name in sorted(filenames):
            path = Path(current, name)
            if is_yaml_name(path):
                files.append(path)  # a broken link too: reading it says why it cannot be read
            elif name.startswith("."):
                continue  # hidden files (.gitkeep, editor swap files) are nobody's config
            elif path.is_symlink() and not path.exists():
                skipped.append(Skipped(path, "a broken symbolic link, and not a YAML name"))
            else:
                skipped.append(Skipped(path, "not a .yaml or .yml file"))
    return sorted(files), skipped
