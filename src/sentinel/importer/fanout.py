"""``sentinel import`` over every (account, region) of a project of several accounts.

Each place is read as a one-account import would read it (``read_place``), with bounded
concurrency; its files are then merged into one configuration:

- an item (alarm rule, composite, dashboard, budget) the same in every place it is found is
  written once, with ``accounts:`` and ``regions:`` naming where it is when that is not
  everywhere (a budget is the account's: read in the account's first region, and narrowed with
  ``accounts:`` only);
- an item found in places that no ``accounts:`` x ``regions:`` pair covers exactly, or written
  differently in some places (one name, two thresholds), is kept as the first place of
  ``sentinel.yaml`` has it, where that is a pair, and listed as not represented for the others:
  the alarms there stay as they are, unmanaged, and the next plan leaves them alone;
- a composite is written only where every alarm and composite its rule names is written (an
  alarm kept as the first place has it is not written in the places that differ): it is
  narrowed to those places, or listed as not represented where no pair says them;
- severities have no ``accounts:``: one found in some places only is written and named (apply
  makes its topic where it is missing).

What is left out of a place but carries this project's tag there is not left alone: the next
apply deletes it. Its reason says so, and it is listed as deleted by the next apply.

A place that cannot be read (a role that cannot be assumed, a region not enabled) is named;
the others are imported.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sentinel.aws.failures import AWS_FAILURES
from sentinel.aws.places import Place
from sentinel.config.composite_aggregates import named_items
from sentinel.errors import SentinelError
from sentinel.importer.owned import config_items
from sentinel.importer.result import ImportResult, NotRepresented
from sentinel.importer.run import PlaceImport, read_place, write_files
from sentinel.importer.writer import PROJECT_FILE, check_directory, existing_project

# The items of each section of a file: what they are called in "not represented" and in the
# file counts, and how they may be narrowed (both selectors, accounts only, or none).
SECTIONS = {
    "alarms": ("alarm", "alarm rule", ("accounts", "regions")),
    "dashboards": ("dashboard", "dashboard", ("accounts", "regions")),
    "budgets": ("budget", "budget", ("accounts",)),
    "composites": ("composite alarm", "composite alarm", ("accounts", "regions")),
}


@dataclass
class FanoutImport:
    """An import over several places: the merged result, and the places that failed."""

    result: ImportResult
    places: list[Place]
    failed: list[tuple[Place, str]] = field(default_factory=list)


Reader = Callable[[Place], PlaceImport]
FAILURES: tuple[type[Exception], ...] = (SentinelError, *AWS_FAILURES)


def import_places(
    places: Sequence[Place],
    read: Reader,
    directory: Path,
    project: str,
    explain: Callable[[Exception, Place], str],
    force: bool = False,
    parallel: int = 8,
    read_one: Callable[[], None] | None = None,
) -> FanoutImport:
    """Read every place with ``read`` (``parallel`` at a time), merge, and write the files; a
    place that fails (an AWS or Sentinel error, said by ``explain``) is left out and named.
    ``read_one`` is called as each place is read (or fails), from the thread that read it."""
    check_directory(directory, force)
    found: list[tuple[Place, PlaceImport]] = []
    failed: list[tuple[Place, str]] = []

    def one(place: Place) -> tuple[Place, PlaceImport | str]:
        try:
            return place, read(place)
        except FAILURES as exc:
            return place, explain(exc, place)
        finally:
            if read_one is not None:
                read_one()

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for place, outcome in pool.map(one, places):
            if isinstance(outcome, str):
                failed.append((place, outcome))
            else:
                found.append((place, outcome))
    result = ImportResult(project=project, directory=directory)
    files = merge(found, result)
    result.kept = write_files(directory, files)
    return FanoutImport(result, list(places), failed)


def merge(
    found: Sequence[tuple[Place, PlaceImport]], result: ImportResult
) -> dict[Path, tuple[str, Any, Counter[str]]]:
    """One configuration for every place read (see the module's docstring)."""
    read = [place for place, _ in found]
    accounts = _unique(place.account_name for place in read)
    regions = _unique(place.region for place in read)
    imports = dict(found)

    def fate(section: str, name: str, places: Sequence[Place]) -> str:
        return _fate([p for p in places if (section, name) in imports[p].owned])

    for _place, one in found:
        result.imported.update(one.result.imported)
        result.env.extend(e for e in one.result.env if e not in result.env)
        result.managed.extend(one.result.managed)
        result.static_fallbacks.extend(one.result.static_fallbacks)
        result.not_represented.extend(one.result.not_represented)
        result.read_calls += one.result.read_calls
    files: dict[Path, tuple[str, Any, Counter[str]]] = {}
    paths = _unique(path for _, one in found for path in one.files)
    for path in paths:
        if path.name == PROJECT_FILE:
            continue  # the project's own: it lists the accounts, it is not rewritten
        held = [(place, one.files[path]) for place, one in found if path in one.files]
        top = held[0][1][0].split("\n", 1)[1] if "\n" in held[0][1][0] else ""
        top = f"# Imported by `sentinel import` from {len(read)} accounts and regions.\n" + top
        data: dict[str, Any] = {}
        counts: Counter[str] = Counter()
        sections = _unique(key for _, (_, content, _) in held for key in content)
        for section in sections:
            items = [(place, content.get(section)) for place, (_, content, _) in held]
            if section == "severities":
                merged = _severities(items, read, result)
                data[section] = merged
                counts["severity"] = len(merged)
                continue
            kind, counted, selectors = SECTIONS.get(section, (section, section, ()))
            per_place = [(p, v) for p, v in items if v]
            merged_items = _items(
                per_place,
                kind,
                selectors,
                read,
                accounts,
                regions,
                result,
                partial(fate, section),
            )
            if merged_items:
                data[section] = merged_items
                counts[counted] = len(merged_items)
        if data:
            files[path] = (top, data, counts)
    _composites_follow(
        files,
        read,
        accounts,
        regions,
        result,
        partial(fate, "composites"),
    )
    _deleted(files, found, result)
    result.files = {path: counts for path, (_, _, counts) in files.items()}
    result.rules = sum(c["alarm rule"] for c in result.files.values())
    result.templates = sum(one.result.templates for _, one in found)
    return files


def _items(
    per_place: list[tuple[Place, list[dict[str, Any]]]],
    kind: str,
    selectors: tuple[str, ...],
    read: list[Place],
    accounts: list[str],
    regions: list[str],
    result: ImportResult,
    fate: Callable[[str, Sequence[Place]], str],
) -> list[dict[str, Any]]:
    """One item per name: its first variant, narrowed to where it is; ``fate`` says what
    becomes of a place's item that is not written there."""
    where: dict[str, dict[str, list[Place]]] = {}  # name -> variant -> places
    first: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for place, items in per_place:
        for item in items:
            name = str(item.get("name"))
            variant = json.dumps(item, sort_keys=True, default=str)
            if name not in where:
                order.append(name)
                where[name] = {}
            where[name].setdefault(variant, []).append(place)
            first.setdefault(variant, item)
    written: list[dict[str, Any]] = []
    for name in order:
        variants = where[name]
        chosen, places = next(iter(variants.items()))
        narrowed = _narrowed(places, selectors, read, accounts, regions, kind == "budget")
        if narrowed is None:
            result.skip(
                kind,
                name,
                f"is in {_where(places)}: no accounts:/regions: pair says so: {fate(name, places)}",
            )
        else:
            written.append({**first[chosen], **narrowed})
        for others in list(variants.values())[1:]:
            differs = "differs from" if narrowed is not None else "also differs from"
            result.skip(
                kind,
                name,
                f"{differs} {_where(places)}'s in {_where(others)}: {fate(name, others)}",
            )
    return written


def _narrowed(
    places: list[Place],
    selectors: tuple[str, ...],
    read: list[Place],
    accounts: list[str],
    regions: list[str],
    per_account: bool,
) -> dict[str, list[str]] | None:
    """The selectors that make an item exactly where ``places`` are; None when none can."""
    held_accounts = _unique(p.account_name for p in places)
    held_regions = _unique(p.region for p in places)
    if per_account:
        homes = _unique(p.account_name for p in read if p.home)
        full = held_accounts == homes
        return {} if full else {"accounts": held_accounts} if "accounts" in selectors else None
    covered = {(p.account_name, p.region) for p in read}
    wanted = {(a, r) for a in held_accounts for r in held_regions} & covered
    if wanted != {(p.account_name, p.region) for p in places}:
        return None
    narrowed: dict[str, list[str]] = {}
    if held_accounts != accounts:
        narrowed["accounts"] = held_accounts
    if held_regions != regions:
        narrowed["regions"] = held_regions
    if any(key not in selectors for key in narrowed):
        return None
    return narrowed


def _composites_follow(
    files: dict[Path, tuple[str, Any, Counter[str]]],
    read: list[Place],
    accounts: list[str],
    regions: list[str],
    result: ImportResult,
    fate: Callable[[str, Sequence[Place]], str],
) -> None:
    """Narrow each composite to the places where the alarms and composites its rule names
    are written, as ``sentinel validate`` asks; until none changes, since a composite may name
    another."""
    written: dict[str, dict[str, Any]] = {
        str(item.get("name")): item
        for _, data, _ in files.values()
        for section in ("alarms", "composites")
        for item in data.get(section) or []
    }

    def places(item: dict[str, Any]) -> list[Place]:
        return [p for p in read if _written_in(item, p)]

    changed = True
    while changed:
        changed = False
        for _, data, counts in files.values():
            for composite in list(data.get("composites") or []):
                name = str(composite.get("name"))
                held = places(composite)
                here, short = held, []
                for used in named_items(str(composite.get("rule") or "")):
                    item = written.get(used)
                    if item is not None and item is not composite:
                        there = places(item)
                        if any(p not in there for p in here):
                            short.append(used)
                            here = [p for p in here if p in there]
                if not short:
                    continue
                changed = True
                dropped = [p for p in held if p not in here]
                narrowed = (
                    _narrowed(here, ("accounts", "regions"), read, accounts, regions, False)
                    if here
                    else None
                )
                if narrowed is None:  # no place has all it uses (places meet as pairs)
                    data["composites"].remove(composite)
                    counts["composite alarm"] -= 1
                    if not counts["composite alarm"]:
                        del counts["composite alarm"]
                    del written[name]
                    result.skip(
                        "composite alarm",
                        name,
                        f"uses {', '.join(short)}, written in none of {_where(held)}: "
                        f"{fate(name, held)}",
                    )
                    continue
                for key in ("accounts", "regions"):
                    composite.pop(key, None)
                composite.update(narrowed)
                result.skip(
                    "composite alarm",
                    name,
                    f"uses {', '.join(short)}, not written in {_where(dropped)}: "
                    f"{fate(name, dropped)}",
                )
            if not data.get("composites", True):
                del data["composites"]


def _written_in(item: dict[str, Any], place: Place) -> bool:
    return place.account_name in item.get("accounts", [place.account_name]) and (
        place.region in item.get("regions", [place.region])
    )


def _fate(owned: Sequence[Place]) -> str:
    """What becomes of an item left out of some places; ``owned``: those of them where it
    carries this project's tag."""
    if not owned:
        return "left unmanaged there"
    return f"the next apply deletes it in {_where(owned)}, where this project's tag marks it"


def _deleted(
    files: dict[Path, tuple[str, Any, Counter[str]]],
    found: Sequence[tuple[Place, PlaceImport]],
    result: ImportResult,
) -> None:
    """List what carries this project's tag in a place and is not written there."""
    items = list(config_items(files))
    places_of: dict[tuple[str, str], list[Place]] = {}
    for place, one in found:
        written = {
            (section, str(item.get("name"))) for section, item in items if _written_in(item, place)
        }
        gone = [r for key, marked in one.owned.items() if key not in written for r in marked]
        for resource in _unique([*gone, *one.unwritten]):
            places_of.setdefault(resource, []).append(place)
    for (kind, name), places in sorted(places_of.items()):
        result.deleted.append(NotRepresented(kind, name, _where(places)))


def _severities(
    items: list[tuple[Place, Any]], read: list[Place], result: ImportResult
) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    places_of: dict[str, list[Place]] = {}
    for place, severities in items:
        for name, definition in (severities or {}).items():
            places_of.setdefault(name, []).append(place)
            if name not in merged:
                merged[name] = definition
            elif merged[name] != definition:
                result.skip(
                    "severity",
                    name,
                    f"is routed differently in {place}: written as the first place has it",
                )
    for name, places in places_of.items():
        if len(places) != len(read):
            missing = [p for p in read if p not in places]
            result.skip("severity", name, f"has no topic in {_where(missing)}: apply makes it")
    return merged


def _where(places: Sequence[Place]) -> str:
    shown = [f"{p.account_name}/{p.region}" for p in places]
    return ", ".join(shown[:4]) + (f" and {len(shown) - 4} more" if len(shown) > 4 else "")


def _unique(values: Any) -> list[Any]:
    return list(dict.fromkeys(values))


def read_with(
    factory_of: Callable[[Place], Any],
    directory: Path,
    project: str,
    selection: Any,
) -> Reader:
    """A reader of one place through its account's role, as ``import_places`` calls it."""
    existing = existing_project(directory)

    def read(place: Place) -> PlaceImport:
        factory = factory_of(place)
        return read_place(
            factory,
            directory,
            place.region,
            project,
            existing,
            selection,
            budgets_too=place.home,
        )

    return read
