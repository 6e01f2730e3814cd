"""What this project's tag already marks, against what the import writes.

A plan deletes what carries the project's ``sentinel:project`` tag, is named with the
project's prefix, and its config does not write. An import that leaves such a resource out
(it differs from the place that is kept, it cannot be represented, ``--tag`` left it out) says
so: "left unmanaged" would not be true.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sentinel.importer.writer import UNROUTED_FILE
from sentinel.naming import prefix

# The kind of AWS resource each config section's items stand for.
SECTION_KINDS = {
    "alarms": "alarm",
    "composites": "composite alarm",
    "dashboards": "dashboard",
    "budgets": "budget",
}

Files = Mapping[Path, tuple[str, Any, Any]]


def resources_of(
    section: str, item: dict[str, Any], alarms_of_rule: Mapping[str, list[str]], project: str
) -> list[tuple[str, str]]:
    """(kind, AWS name) of what one config item stands for in its place."""
    kind = SECTION_KINDS[section]
    name = str(item.get("name"))
    if section == "alarms":
        return [(kind, alarm) for alarm in alarms_of_rule.get(name, [])]
    return [(kind, str(item.get("aws_name") or prefix(project) + name))]


def config_items(files: Files) -> Iterable[tuple[str, dict[str, Any]]]:
    """(section, item) of every item a plan reads; the unrouted file is not read."""
    for path, (_top, data, _counts) in files.items():
        if path.name == UNROUTED_FILE or not isinstance(data, dict):
            continue
        for section in SECTION_KINDS:
            for item in data.get(section) or []:
                yield section, item


def owned_items(
    files: Files,
    alarms_of_rule: Mapping[str, list[str]],
    owned: set[tuple[str, str]],
    project: str,
) -> tuple[dict[tuple[str, str], list[tuple[str, str]]], list[tuple[str, str]]]:
    """(section, name) of each item -> what it stands for that ``owned`` marks; and the owned
    resources no item stands for: a plan of these files deletes those."""
    items: dict[tuple[str, str], list[tuple[str, str]]] = {}
    written: set[tuple[str, str]] = set()
    # Topics are written as severities, each found in any place: none is left out. A plan
    # reads the names of the project's prefix and those its config names: one outside the
    # prefix that the config leaves out is never read, so never deleted.
    owned = {
        (kind, name)
        for kind, name in owned
        if kind in SECTION_KINDS.values() and name.startswith(prefix(project))
    }
    for section, item in config_items(files):
        resources = resources_of(section, item, alarms_of_rule, project)
        written.update(resources)
        marked = [resource for resource in resources if resource in owned]
        if marked:
            items[(section, str(item.get("name")))] = marked
    return items, sorted(owned - written)
