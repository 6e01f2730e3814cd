"""Field-level comparison of normalised states."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sentinel.sync.model import FieldChange, State

_MISSING = object()


def field_changes(desired: State | None, actual: State | None) -> tuple[FieldChange, ...]:
    """Changes from ``actual`` to ``desired``, nested mappings flattened as ``a.b``."""
    if desired is not None and actual is not None and desired.fields == actual.fields:
        return ()  # what a no-change plan finds for every resource: one comparison, no flattening
    old = _flatten(actual.fields) if actual else {}
    new = _flatten(desired.fields) if desired else {}
    sensitive = (desired.sensitive if desired else frozenset()) | (
        actual.sensitive if actual else frozenset()
    )
    changes = []
    for name in sorted(set(old) | set(new), key=_order(list(new) + list(old))):
        before, after = old.get(name, _MISSING), new.get(name, _MISSING)
        if before != after:
            changes.append(
                FieldChange(
                    name,
                    None if before is _MISSING else before,
                    None if after is _MISSING else after,
                    sensitive=name.split(".")[0] in sensitive,
                )
            )
    return tuple(changes)


def _order(names: list[str]) -> Any:
    index = {name: i for i, name in reversed(list(enumerate(names)))}
    return lambda name: index.get(name, len(index))


def _flatten(fields: Mapping[str, Any], parent: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in fields.items():
        path = f"{parent}.{name}" if parent else name
        if isinstance(value, Mapping) and value:
            flat.update(_flatten(value, path))
        else:
            flat[path] = value
    return flat
