"""How a resource type's tags are read: from the listing itself, the Tagging API or a batch call.

Each source reads the tags of all listed items at once, never one call per resource.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sentinel.inventory.expressions import search

if TYPE_CHECKING:
    from sentinel.inventory.listing import Listing

TAGGING_API_PAGE_SIZE = 100


def tag_map(raw: Any) -> dict[str, str]:
    """Tags as AWS returns them (Key/Value or key/value pairs, a map, or nothing) -> a dict."""
    if not raw:
        return {}
    if isinstance(raw, Mapping):
        return {str(key): str(value) for key, value in raw.items()}
    tags: dict[str, str] = {}
    for pair in raw:
        key = pair.get("Key", pair.get("key"))
        value = pair.get("Value", pair.get("value", ""))
        if key is not None:
            tags[str(key)] = "" if value is None else str(value)
    return tags


def batches(values: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


class TagSource(Protocol):
    def read(
        self, listing: Listing, items: Sequence[Mapping[str, Any]], arns: Sequence[str]
    ) -> list[dict[str, str]]:
        """The tags of each item, in the order of ``items``."""
        ...


@dataclass(frozen=True)
class InlineTags:
    """The listing call returns the tags with each item."""

    field: str

    def read(
        self, listing: Listing, items: Sequence[Mapping[str, Any]], arns: Sequence[str]
    ) -> list[dict[str, str]]:
        return [tag_map(search(self.field, item)) for item in items]


@dataclass(frozen=True)
class TaggingApiTags:
    """One paged Resource Groups Tagging API GetResources call for the whole type.

    The Tagging API lists only resources that have (or had) tags; every other listed item has
    none.
    """

    filter: str

    def read(
        self, listing: Listing, items: Sequence[Mapping[str, Any]], arns: Sequence[str]
    ) -> list[dict[str, str]]:
        by_arn: dict[str, dict[str, str]] = {}
        mappings = listing.paginate(
            "get_resources",
            "ResourceTagMappingList",
            {"ResourceTypeFilters": [self.filter]},
            page_size=TAGGING_API_PAGE_SIZE,
            service="resourcegroupstaggingapi",
        )
        for mapping in mappings:
            by_arn[mapping["ResourceARN"]] = tag_map(mapping.get("Tags"))
        return [by_arn.get(arn, {}) for arn in arns]


@dataclass(frozen=True)
class BatchTags:
    """A describe call taking up to ``size`` ARNs (ELBv2 DescribeTags takes 20)."""

    operation: str
    param: str
    size: int
    result: str
    arn: str
    tags: str

    def read(
        self, listing: Listing, items: Sequence[Mapping[str, Any]], arns: Sequence[str]
    ) -> list[dict[str, str]]:
        by_arn: dict[str, dict[str, str]] = {}
        for chunk in batches(arns, self.size):
            response = listing.call(self.operation, **{self.param: chunk})
            for description in search(self.result, response) or []:
                by_arn[description[self.arn]] = tag_map(description.get(self.tags))
        return [by_arn.get(arn, {}) for arn in arns]
