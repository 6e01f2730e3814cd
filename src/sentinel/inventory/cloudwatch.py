"""Where a resource's metrics live: the default namespace and dimensions for its alarms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sentinel.inventory.resource import Resource

_PLACEHOLDER = re.compile(r"\{(attr:)?([A-Za-z_][A-Za-z0-9_]*)\}")
_RESOURCE_FIELDS = ("id", "name", "region", "account", "arn")


@dataclass(frozen=True)
class NamespaceChoice:
    """A namespace chosen by an attribute's value, e.g. DocumentDB clusters by ``engine``."""

    attribute: str
    values: Mapping[str, str]
    default: str

    def choose(self, resource: Resource) -> str:
        return self.values.get(str(resource.attributes.get(self.attribute)), self.default)


@dataclass(frozen=True)
class MetricTemplate:
    """The CloudWatch namespace and dimensions of a resource type, as templates."""

    namespace: str | NamespaceChoice
    dimensions: Mapping[str, str] = field(default_factory=dict)

    def namespace_for(self, resource: Resource) -> str:
        if isinstance(self.namespace, NamespaceChoice):
            return self.namespace.choose(resource)
        return self.namespace

    def dimensions_for(self, resource: Resource) -> dict[str, str]:
        """Dimension name -> value; a dimension whose value is unknown is left out."""
        rendered: dict[str, str] = {}
        for name, template in self.dimensions.items():
            value = render(template, resource)
            if value is not None:
                rendered[name] = value
        return rendered


def render(template: str, resource: Resource) -> str | None:
    """Fill ``{id}``, ``{name}``, ``{region}``, ``{account}``, ``{arn}`` and ``{attr:NAME}``.

    Returns None when a placeholder has no value for this resource.
    """
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        value: Any
        if match.group(1):
            value = resource.attributes.get(match.group(2))
        else:
            value = getattr(resource, match.group(2))
        if value is None or value == "":
            missing = True
            return ""
        return str(value)

    text = _PLACEHOLDER.sub(fill, template)
    return None if missing else text


def placeholders(template: str) -> list[tuple[bool, str]]:
    """(is an attribute, name) for each placeholder of a template, to check templates on load."""
    return [(bool(m.group(1)), m.group(2)) for m in _PLACEHOLDER.finditer(template)]


def is_resource_field(name: str) -> bool:
    return name in _RESOURCE_FIELDS
