"""Every file kind of a configuration, in one list: adding one is adding a module here."""

from __future__ import annotations

from functools import cache
from importlib import import_module

from pydantic import BaseModel

from sentinel.config.kinds.base import FileKind

# "module:class", one line per file kind, in the order the files are read.
FILE_KIND_PATHS: list[str] = []
FILE_KIND_PATHS.append("sentinel.config.kinds.project:ProjectFile")
FILE_KIND_PATHS.append("sentinel.config.kinds.routing:RoutingFile")
FILE_KIND_PATHS.append("sentinel.config.kinds.alarms:AlarmsFileKind")
FILE_KIND_PATHS.append("sentinel.config.kinds.dashboards:DashboardsFileKind")
FILE_KIND_PATHS.append("sentinel.config.kinds.budgets:BudgetsFileKind")
FILE_KIND_PATHS.append("sentinel.config.kinds.monitors:MonitorsFileKind")


@cache
def file_kinds() -> dict[str, FileKind[BaseModel]]:
    """Each file kind by its name (``alarms``, ``monitors``, ...)."""
    kinds: dict[str, FileKind[BaseModel]] = {}
    for path in FILE_KIND_PATHS:
        module, attribute = path.split(":")
        kind = getattr(import_module(module), attribute)()
        kinds[kind.name] = kind
    return kinds
