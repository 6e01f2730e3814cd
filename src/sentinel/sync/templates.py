"""Templates over discovered resources: ``for_each`` and ``{placeholders}``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sentinel.errors import SentinelError

if TYPE_CHECKING:
    from sentinel.config.models import ForEach
    from sentinel.inventory import Inventory, Resource

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplateError(SentinelError):
    """A placeholder names something the resource does not have."""


def expand(for_each: ForEach, inventory: Inventory, region: str) -> list[Resource]:
    """The resources a template applies to, sorted by id so names and plans are stable."""
    found = inventory.discover(for_each.resource, tags=dict(for_each.tags) or None, region=region)
    matching = [r for r in found if _attributes_match(r, for_each.where)]
    return sorted(matching, key=lambda r: r.id)


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
