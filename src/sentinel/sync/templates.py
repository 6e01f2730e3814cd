"""Templates over discovered resources: ``for_each`` and ``{placeholders}``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, ForwardRef, get_args

from pydantic import BaseModel

from sentinel.config.models import ForEach
from sentinel.errors import SentinelError
from sentinel.sync.model import PlanWarning

if TYPE_CHECKING:
    from sentinel.config import Config
    from sentinel.inventory import Inventory, Resource

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplateError(SentinelError):
    """A placeholder names something the resource does not have."""


def expand(for_each: ForEach, inventory: Inventory, region: str) -> list[Resource]:
    """The resources a template applies to, sorted by id so names and plans are stable."""
    found = inventory.discover(for_each.resource, tags=dict(for_each.tags) or None, region=region)
    matching = [r for r in found if _attributes_match(r, for_each.where)]
    return sorted(matching, key=lambda r: r.id)


def unmatched_templates(config: Config, inventory: Inventory, region: str) -> list[PlanWarning]:
    """Templates that expand to nothing in ``region``: their type or filters match no resource.

    Such a rule plans no alarm at all, which a reviewer cannot tell from the plan; this names
    it with what was found, so a misspelt tag or attribute value is seen before it matters.
    """
    found: list[PlanWarning] = []
    named: list[tuple[str, Sequence[Any]]] = [
        ("alarm", config.alarms),
        ("dashboard", config.dashboards),
        ("slo", config.slos),
    ]
    for namespace, items in named:
        for item in items:
            for path, for_each in _templates(item):
                if expand(for_each, inventory, region):
                    continue
                owner = f"{_LABELS[namespace]} {item.name!r}" + (f" {path}" if path else "")
                found.append(
                    PlanWarning(
                        config.source(namespace, item.name),
                        f"{owner} matches nothing: {_why_empty(for_each, inventory, region)}",
                    )
                )
    return found


_LABELS = {"alarm": "alarm rule", "dashboard": "dashboard", "slo": "SLO"}


def _templates(model: BaseModel, path: str = "") -> Iterator[tuple[str, ForEach]]:
    """Every ``for_each`` in a model, with where it sits (``rows[1]``; empty: the model's own)."""
    for name in _nesting_fields(type(model)):
        value = getattr(model, name)
        if isinstance(value, ForEach):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from _templates(value, f"{path}.{name}".lstrip("."))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _templates(item, f"{path}.{name}[{index}]".lstrip("."))


@cache
def _nesting_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model class that can hold a model (a ``for_each`` among them): a rule
    has thousands of siblings, and most of its fields are strings and numbers."""
    return tuple(
        name for name, field in model.model_fields.items() if _may_hold_model(field.annotation)
    )


def _may_hold_model(annotation: Any) -> bool:
    if annotation is Any or annotation is object or isinstance(annotation, str | ForwardRef):
        return True  # not known: looked into
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_model(argument) for argument in get_args(annotation))


def _why_empty(for_each: ForEach, inventory: Inventory, region: str) -> str:
    kind = for_each.resource
    everything = inventory.discover(kind, region=region)
    if not everything:
        return f"there is no {kind} resource in {region}"
    tags = dict(for_each.tags)
    tagged = inventory.discover(kind, tags=tags or None, region=region)
    count = f"{len(everything)} {kind} resource{'s' if len(everything) != 1 else ''} in {region}"
    if not tagged:
        return f"{count}, none tagged {_filters(tags)}"
    return f"{count}, {len(tagged)} tagged as asked, none with {_filters(for_each.where)}"


def _filters(values: Mapping[str, list[str]]) -> str:
    return ", ".join(f"{key}={'|'.join(allowed)}" for key, allowed in values.items())


def _attributes_match(resource: Resource, where: Mapping[str, list[str]]) -> bool:
    for name, allowed in where.items():
        value = resource.attributes.get(name)
        if value is None or str(value) not in allowed:
            return False
    return True


def fill(text: str, resource: Resource | None, source: str = "") -> str:
    """Replace ``{id}``, ``{name}``, ``{arn}``, ``{region}``, ``{tag:K}``, ``{attr:A}``."""
    if resource is None or "{" not in text:
        return text

    def value(match: re.Match[str]) -> str:
        token = match.group(1)
        kind, _, key = token.partition(":")
        found: Any
        if kind == "tag":
            found = resource.tags.get(key)
        elif kind == "attr":
            found = resource.attributes.get(key)
        else:
            found = {
                "id": resource.id,
                "name": resource.name,
                "arn": resource.arn,
                "region": resource.region,
                "account": resource.account,
            }.get(token)
        if found is None:
            where = f"{source}: " if source else ""
            raise TemplateError(
                f"{where}{{{token}}} has no value for {resource.type} {resource.id}"
            )
        return str(found)

    return _PLACEHOLDER.sub(value, text)


def fill_mapping(
    values: Mapping[str, str], resource: Resource | None, source: str = ""
) -> dict[str, str]:
    return {key: fill(value, resource, source) for key, value in values.items()}
