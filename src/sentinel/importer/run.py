"""``sentinel import``: read the account, write the config that plans to it, say what was left."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sentinel.config.units import parse_duration
from sentinel.errors import SentinelError
from sentinel.importer.alarms import AlarmDefaults, choose_defaults
from sentinel.importer.budgets import build_budgets
from sentinel.importer.collapse import ResourceIndex
from sentinel.importer.composites import build_composites, used_alarms
from sentinel.importer.dashboards import build_dashboards
from sentinel.importer.estate import Estate, Progress, Selection, read_estate
from sentinel.importer.names import Names, is_name
from sentinel.importer.owned import owned_items
from sentinel.importer.result import ImportResult, NotRepresented
from sentinel.importer.routing import import_routes
from sentinel.importer.rules import UNROUTED, action_pattern, build_rules
from sentinel.importer.writer import (
    PROJECT_FILE,
    UNROUTED_FILE,
    check_directory,
    existing_project,
    header,
    write,
)
from sentinel.inventory import Inventory

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory


class ImportUsageError(SentinelError):
    """An import that cannot start: no project name, a bad ``--tag``."""


@dataclass
class PlaceImport:
    """What one (account, region) holds, as the files that would configure it."""

    files: dict[Path, tuple[str, Any, Counter[str]]]  # path -> (header, data, counts)
    result: ImportResult
    owned: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    """(section, item name) -> the (kind, AWS name) it stands for that the project's tag marks."""
    unwritten: list[tuple[str, str]] = field(default_factory=list)
    """(kind, AWS name) the project's tag marks that no item of the files stands for."""


def import_config(
    factory: SessionFactory,
    directory: Path,
    region: str,
    selection: Selection | None = None,
    project: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Read the selection from AWS and write its configuration into ``directory``."""
    check_directory(directory, force)
    existing = existing_project(directory)
    name = project_name(directory, existing, project)
    found = read_place(factory, directory, region, name, existing, selection, progress)
    found.result.kept = write_files(directory, found.files)
    for kind, resource in found.unwritten:
        found.result.deleted.append(NotRepresented(kind, resource, region))
    return found.result


def project_name(directory: Path, existing: dict[str, Any] | None, project: str | None) -> str:
    name = (existing or {}).get("project") or project
    if not name:
        raise ImportUsageError(
            f"{directory / PROJECT_FILE} does not exist: name the project with --project NAME"
        )
    if not is_name(str(name)):
        raise ImportUsageError(f"invalid project name {name!r}: lower-case letters, digits, '-'")
    return str(name)


def read_place(
    factory: SessionFactory,
    directory: Path,
    region: str,
    name: str,
    existing: dict[str, Any] | None,
    selection: Selection | None = None,
    progress: Progress | None = None,
    budgets_too: bool = True,
) -> PlaceImport:
    """Read one account and region, and build the files of its configuration (not written)."""
    before = factory.counter.total()
    selection = selection or Selection()
    if not budgets_too:  # the account's budgets are read in its first region only
        selection = replace(selection, kinds=selection.kinds - {"budgets"})
    estate = read_estate(
        factory, region, selection, progress, project=name, budgets_here=budgets_too
    )
    result = ImportResult(project=name, directory=directory)
    for kind, resource, owner in estate.managed:
        result.managed.append(NotRepresented(kind, resource, owner))
    defaults = _defaults(existing, estate)
    everything = estate.metric_alarms + estate.composite_alarms
    routes = import_routes(estate, name, action_pattern(everything), result)
    namespaces = {a["Namespace"] for a in estate.metric_alarms if a.get("Namespace")}
    namespaces |= {
        q["MetricStat"]["Metric"]["Namespace"]
        for a in estate.metric_alarms
        for q in a.get("Metrics") or []
        if q.get("MetricStat")
    }
    index = ResourceIndex(Inventory(factory, regions=[region]), region, namespaces)
    names = Names(name)
    pinned = used_alarms(estate.composite_alarms)
    rules = build_rules(estate.metric_alarms, routes, index, defaults, names, result, pinned)
    composites = build_composites(
        estate.composite_alarms, estate.metric_alarms, routes, rules, names, result
    )
    dashboards = build_dashboards(estate.dashboards, region, rules.alarms_of_rule, name, result)
    budgets = build_budgets(estate.budgets, routes, name, result)
    result.read_calls = factory.counter.total() - before
    files = _files(
        directory,
        estate,
        name,
        existing,
        defaults,
        routes,
        rules,
        composites,
        dashboards,
        budgets,
    )
    result.files = {path: counts for path, (_top, _data, counts) in files.items()}
    owned, unwritten = owned_items(files, rules.alarms_of_rule, estate.owned, name)
    return PlaceImport(files, result, owned, unwritten)


# The folders of a configuration's files, beside its sentinel.yaml.
CONFIG_FOLDERS = ("alarms", "dashboards", "budgets", "monitors")


def write_files(directory: Path, files: dict[Path, tuple[str, Any, Counter[str]]]) -> list[Path]:
    """Write ``files``; the configuration files already in ``directory`` that none of them
    replaces (kept as they were: --force), relative to it."""
    kept = [
        path.relative_to(directory)
        for folder in CONFIG_FOLDERS
        for path in sorted((directory / folder).rglob("*"))
        if path.suffix in (".yaml", ".yml") and path.is_file() and path not in files
    ]
    directory.mkdir(parents=True, exist_ok=True)
    for path, (top, data, _counts) in files.items():
        write(path, top, data)
    return kept


def _defaults(existing: dict[str, Any] | None, estate: Estate) -> AlarmDefaults:
    if existing is None:
        return choose_defaults(estate.metric_alarms)
    found = ((existing.get("defaults") or {}).get("alarms")) or {}
    window = found.get("for")
    return AlarmDefaults(
        period=parse_duration(found.get("period", "5m")),
        treat_missing=str(found.get("treat_missing", "missing")),
        for_=parse_duration(window) if window is not None else None,
    )


def _files(
    directory: Path,
    estate: Estate,
    project: str,
    existing: dict[str, Any] | None,
    defaults: AlarmDefaults,
    routes: Any,
    rules: Any,
    composites: dict[str, list[dict[str, Any]]],
    dashboards: list[dict[str, Any]],
    budgets: list[dict[str, Any]],
) -> dict[Path, tuple[str, Any, Counter[str]]]:
    top = header(project, estate.account, estate.region)
    files: dict[Path, tuple[str, Any, Counter[str]]] = {}

    def _put(path: Path, top: str, data: Any, counts: Counter[str]) -> None:
        files[path] = (top, data, counts)

    if existing is None:
        settings: dict[str, Any] = {"project": project, "regions": [estate.region]}
        settings["defaults"] = {
            "alarms": {
                "period": _duration(defaults.period),
                "treat_missing": defaults.treat_missing,
            }
        }
        _put(directory / PROJECT_FILE, top, settings, Counter({"project": 1}))
    if routes.severities:
        _put(
            directory / "alarms" / "routing.yaml",
            top,
            {"severities": routes.severities},
            Counter({"severity": len(routes.severities)}),
        )
    for severity in routes.severities:
        alarms = rules.by_severity.get(severity, [])
        combined = composites.get(severity, [])
        if not alarms and not combined:
            continue
        content: dict[str, Any] = {}
        if alarms:
            content["alarms"] = alarms
        if combined:
            content["composites"] = combined
        counts = Counter({"alarm rule": len(alarms), "composite alarm": len(combined)})
        # alarms/routing.yaml is the routing file, whatever a severity is called.
        stem = severity if severity.lower() != "routing" else "routing-alarms"
        _put(directory / "alarms" / f"{stem}.yaml", top, content, counts)
    if rules.unrouted:
        note = (
            "# Alarms that notify no imported topic. This file is outside the config folders and\n"
            f"# is not read: give each rule a severity (here: {UNROUTED}) and move it to alarms/.\n"
        )
        _put(
            directory / UNROUTED_FILE,
            top + note,
            {"alarms": rules.unrouted},
            Counter({"alarm rule": len(rules.unrouted)}),
        )
    for dashboard in dashboards:
        _put(
            directory / "dashboards" / f"{dashboard['name']}.yaml",
            top,
            {"dashboards": [dashboard]},
            Counter({"dashboard": 1}),
        )
    if budgets:
        _put(
            directory / "budgets" / "budgets.yaml",
            top,
            {"budgets": budgets},
            Counter({"budget": len(budgets)}),
        )
    return files


def _duration(seconds: int) -> str:
    from sentinel.config.units import format_duration

    return format_duration(seconds)
