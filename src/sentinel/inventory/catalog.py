"""The resource types Sentinel knows, read once from ``sentinel/data/resource_types.yaml``."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sentinel.errors import SentinelError
from sentinel.inventory.cloudwatch import (
    MetricTemplate,
    NamespaceChoice,
    is_resource_field,
    placeholders,
)
from sentinel.inventory.expressions import compiled
from sentinel.inventory.resource import Resource
from sentinel.inventory.tagging import BatchTags, InlineTags, TaggingApiTags, TagSource

CATALOG_FILE = "resource_types.yaml"


class UnknownResourceTypeError(SentinelError):
    """A resource type that Sentinel does not know, with the closest known names."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown resource type {name!r}{hint}")


@dataclass(frozen=True)
class ListCall:
    """The paginated call that lists a type's resources in one region."""

    operation: str
    result: str
    params: Mapping[str, Any] = field(default_factory=dict)
    page_size: int | None = None
    min_page_size: int = 1
    wrap: str | None = None


@dataclass(frozen=True)
class ResourceType:
    """How to list one type of resource and where its metrics are."""

    name: str
    service: str
    listing: ListCall
    id: str
    tags: TagSource
    cloudwatch: MetricTemplate
    arn: str | None = None
    arn_template: str | None = None
    account: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)
    region: str | None = None

    @property
    def calls(self) -> tuple[str, ...]:
        """The calls its catalog entry makes: the listing, and the tags' call when separate."""
        from sentinel.aws.iam_policy import api_call

        found = [api_call(self.service, self.listing.operation)]
        if isinstance(self.tags, TaggingApiTags):
            found.append(TAGGING_API_CALL)
        elif isinstance(self.tags, BatchTags):
            found.append(api_call(self.service, self.tags.operation))
        return tuple(found)

    @property
    def is_global(self) -> bool:
        return self.region is not None

    def namespace_for(self, resource: Resource) -> str:
        return self.cloudwatch.namespace_for(resource)

    def dimensions_for(self, resource: Resource) -> dict[str, str]:
        return self.cloudwatch.dimensions_for(resource)


# The Tagging API's read, as calls are declared (sentinel.aws.tagging reads it in pages).
TAGGING_API_CALL = "tag:GetResources"


@cache
def resource_types() -> dict[str, ResourceType]:
    """Every known resource type by name, in the order of the catalog file."""
    text = resources.files("sentinel").joinpath("data", CATALOG_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    return {name: _resource_type(name, spec) for name, spec in raw.items()}


def resource_type(name: str) -> ResourceType:
    """The type called ``name``; an unknown name raises with the closest known names."""
    types = resource_types()
    try:
        return types[name]
    except KeyError:
        suggestions = difflib.get_close_matches(name, list(types), n=2, cutoff=0.6)
        raise UnknownResourceTypeError(name, suggestions) from None


def _resource_type(name: str, spec: Mapping[str, Any]) -> ResourceType:
    try:
        listing = spec["list"]
        resource = ResourceType(
            name=name,
            service=spec["service"],
            listing=ListCall(
                operation=listing["operation"],
                result=listing["result"],
                params=dict(listing.get("params") or {}),
                page_size=listing.get("page_size"),
                min_page_size=listing.get("min_page_size", 1),
                wrap=listing.get("wrap"),
            ),
            id=spec["id"],
            arn=spec.get("arn"),
            arn_template=spec.get("arn_template"),
            account=spec.get("account"),
            tags=_tag_source(name, spec["tags"]),
            attributes=dict(spec.get("attributes") or {}),
            cloudwatch=_metric_template(spec["cloudwatch"]),
            region=spec.get("region"),
        )
    except (KeyError, TypeError) as exc:
        raise ValueError(f"{CATALOG_FILE}: {name}: missing or malformed {exc}") from exc
    _check(resource)
    return resource


def _tag_source(name: str, spec: Mapping[str, Any]) -> TagSource:
    source = spec["source"]
    if source == "inline":
        return InlineTags(field=spec["field"])
    if source == "tagging_api":
        return TaggingApiTags(filter=spec.get("filter", name))
    if source == "batch":
        return BatchTags(
            operation=spec["operation"],
            param=spec["param"],
            size=int(spec["size"]),
            result=spec["result"],
            arn=spec["arn"],
            tags=spec["tags"],
        )
    raise ValueError(f"{CATALOG_FILE}: {name}: unknown tag source {source!r}")


def _metric_template(spec: Mapping[str, Any]) -> MetricTemplate:
    namespace = spec["namespace"]
    if isinstance(namespace, Mapping):
        namespace = NamespaceChoice(
            attribute=namespace["attribute"],
            values=dict(namespace["values"]),
            default=namespace["default"],
        )
    dimensions = {str(key): str(value) for key, value in (spec.get("dimensions") or {}).items()}
    return MetricTemplate(namespace=namespace, dimensions=dimensions)


def _check(resource: ResourceType) -> None:
    """Fail on load, not on first use, when an entry cannot work."""
    where = f"{CATALOG_FILE}: {resource.name}"
    if (resource.arn is None) == (resource.arn_template is None):
        raise ValueError(f"{where}: give exactly one of arn and arn_template")
    for expression in (
        resource.id,
        resource.arn,
        resource.account,
        resource.listing.result,
        *resource.attributes.values(),
    ):
        if expression is not None:
            compiled(expression)
    for template in resource.cloudwatch.dimensions.values():
        for is_attribute, placeholder in placeholders(template):
            if not is_attribute and not is_resource_field(placeholder):
                raise ValueError(f"{where}: unknown placeholder {{{placeholder}}} in {template!r}")


KNOWN_RESOURCE_TYPES: list[str] = sorted(resource_types())
"""Every known type name, sorted (for the configuration validator)."""
