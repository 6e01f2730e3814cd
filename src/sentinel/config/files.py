"""Which file of a config directory holds which kind of model."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from sentinel.config.models import (
    AlarmsFile,
    BudgetsFile,
    DashboardsFile,
    MonitorsFile,
    Project,
    Routing,
)

FILE_KINDS: dict[str, type[BaseModel]] = {
    "project": Project,
    "routing": Routing,
    "alarms": AlarmsFile,
    "dashboards": DashboardsFile,
    "budgets": BudgetsFile,
    "monitors": MonitorsFile,
}
FOLDERS = ("alarms", "dashboards", "budgets", "monitors")
PROJECT_FILE = "sentinel.yaml"
ROUTING_FILE = "routing.yaml"


def config_files(root: Path) -> list[tuple[str, Path]]:
    """(kind, path) for every YAML file Sentinel reads under ``root``, in a stable order."""
    found: list[tuple[str, Path]] = []
    project = root / PROJECT_FILE
    if project.is_file():
        found.append(("project", project))
    for folder in FOLDERS:
        directory = root / folder
        if not directory.is_dir():
            continue
        paths = sorted(
            p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
        )
        for path in paths:
            is_routing = folder == "alarms" and path.parent == directory and path.stem == "routing"
            found.append(("routing" if is_routing else folder, path))
    return found
