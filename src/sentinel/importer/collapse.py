"""Alarms that differ only by resource, collapsed into one ``for_each`` template.

Each alarm is matched to the inventory resource its dimensions name (the resource type's
CloudWatch dimensions, from resource_types.yaml); that resource's values become placeholders
(``{id}``, ``{attr:dimension}``) in the dimensions, the name and the description. Alarms whose
templated fields are equal form a group; the group becomes a template when a ``tags``/``where``
filter selects exactly its resources, checked with the expansion plan uses
(sentinel.sync.templates.expand). Otherwise its alarms stay static rules.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sentinel.config.models import ForEach
from sentinel.inventory import Inventory, Resource, resource_types
from sentinel.inventory.cloudwatch import NamespaceChoice
from sentinel.sync.templates import expand

_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
MAX_FILTER_VALUES = 20


@dataclass(frozen=True)
class Match:
    type: str
    resource: Resource
    templates: Mapping[str, str]
    """Dimension name -> the catalog's template (``{id}``) for this resource's dimensions."""
    values: Mapping[str, str]


class ResourceIndex:
    """The inventory's resources by the CloudWatch dimensions their metrics carry."""

    def __init__(self, inventory: Inventory, region: str, namespaces: Iterable[str]) -> None:
        self.inventory = inventory
        self.region = region
        wanted = set(namespaces)
        self._by_values: dict[tuple[str, tuple[tuple[str, str], ...]], list[Match]] = {}
        self._key_sets: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        self.types: list[str] = []
        for name, spec in resource_types().items():
            choice = spec.cloudwatch.namespace
            possible = (
                {*choice.values.values(), choice.default}
                if isinstance(choice, NamespaceChoice)
                else {choice}
            )
            if not possible & wanted or not spec.cloudwatch.dimensions:
                continue
            self.types.append(name)
            for resource in inventory.discover(name, region=region):
                values = spec.dimensions_for(resource)
                keys = tuple(sorted(values))
                templates = {k: spec.cloudwatch.dimensions[k] for k in keys}
                match = Match(name, resource, templates, values)
                namespace = spec.namespace_for(resource)
                lookup = (namespace, tuple((k, values[k]) for k in keys))
                self._by_values.setdefault(lookup, []).append(match)
                self._key_sets[namespace].add(keys)

    def find(self, namespace: str, dimensions: Mapping[str, str]) -> Match | None:
        """The one resource whose dimensions are among these (the most specific type wins)."""
        for keys in sorted(self._key_sets.get(namespace, ()), key=len, reverse=True):
            if not set(keys) <= set(dimensions):
                continue
            found = self._by_values.get((namespace, tuple((k, dimensions[k]) for k in keys)), [])
            if len(found) == 1:
                return found[0]
            if found:
                return None  # two resources with the same dimensions: not this alarm's own
        return None

    def all_of(self, type_name: str) -> list[Resource]:
        return self.inventory.discover(type_name, region=self.region)


def alarm_match(index: ResourceIndex, fields: Mapping[str, Any]) -> Match | None:
    """The resource an alarm's rule fields are about: its metric's, or every math metric's."""
    if "metrics" in fields:
        matches = [
            index.find(ref["namespace"], ref.get("dimensions", {}))
            for ref in fields["metrics"].values()
        ]
        found = {(m.type, m.resource.id) for m in matches if m is not None}
        if len(found) != 1:
            return None
        return next(m for m in matches if m is not None)
    return index.find(fields["namespace"], fields.get("dimensions", {}))


def templated(fields: Mapping[str, Any], match: Match) -> dict[str, Any] | None:
    """The fields with the resource's values as placeholders; None when they cannot be."""
    if any(_PLACEHOLDER.search(text) for text in _strings(fields)):
        return None  # a literal {...} would be read as a placeholder
    out = json.loads(json.dumps(fields))

    def dims(dimensions: dict[str, str]) -> dict[str, str]:
        return {
            k: match.templates[k] if k in match.values and match.values[k] == v else v
            for k, v in dimensions.items()
        }

    if "metrics" in out:
        for ref in out["metrics"].values():
            if "dimensions" in ref:
                ref["dimensions"] = dims(ref["dimensions"])
    elif "dimensions" in out:
        out["dimensions"] = dims(out["dimensions"])
    rid = match.resource.id
    if "description" in out and len(rid) >= 3:
        out["description"] = out["description"].replace(rid, "{id}")
    return out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def name_pattern(name: str, resource: Resource) -> str | None:
    """The alarm's name with the resource id as ``{id}``; None when the id is not in it."""
    if resource.id not in name or _PLACEHOLDER.search(name):
        return None
    return name.replace(resource.id, "{id}")


def find_filter(index: ResourceIndex, type_name: str, members: list[Resource]) -> ForEach | None:
    """The simplest ``for_each`` over ``type_name`` that selects exactly ``members``."""
    wanted = {r.id for r in members}
    everything = index.all_of(type_name)
    candidates: list[tuple[str, str, list[str]]] = []  # (tags|where, key, values)
    for kind, getter in (("tags", lambda r: r.tags), ("where", lambda r: r.attributes)):
        keys = set.intersection(*(set(getter(r)) for r in members)) if members else set()
        for key in sorted(keys):
            values = sorted({str(getter(r)[key]) for r in members})
            scalar = all(isinstance(getter(r)[key], (str, int, float, bool)) for r in members)
            # A filter lists a few shared values, never one value per resource (an id, an IP).
            few = len(values) <= min(MAX_FILTER_VALUES, max(1, len(members) // 2))
            if scalar and few:
                candidates.append((kind, key, values))
    options: list[tuple[tuple[str, str, list[str]], ...]] = [()]
    options += [(c,) for c in candidates]
    options += list(itertools.combinations(candidates, 2))
    for option in sorted(options, key=lambda o: (len(o), sum(len(c[2]) for c in o))):
        tags = {key: values for kind, key, values in option if kind == "tags"}
        where = {key: values for kind, key, values in option if kind == "where"}
        selected = {
            r.id
            for r in everything
            if r.matches(tags) and all(str(r.attributes.get(k)) in v for k, v in where.items())
        }
        if selected != wanted:
            continue
        for_each = ForEach(resource=type_name, tags=tags, where=where)
        # The check plan makes: the same expansion, over the same inventory.
        if {r.id for r in expand(for_each, index.inventory, index.region)} == wanted:
            return for_each
    return None


def for_each_yaml(for_each: ForEach) -> dict[str, Any]:
    out: dict[str, Any] = {"resource": for_each.resource}
    if for_each.tags:
        out["tags"] = {k: v[0] if len(v) == 1 else v for k, v in for_each.tags.items()}
    if for_each.where:
        out["where"] = {k: v[0] if len(v) == 1 else v for k, v in for_each.where.items()}
    return out
