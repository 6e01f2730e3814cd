"""Counts of resources per type, split by one tag (Environment by default)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sentinel.inventory.resource import Resource

SUMMARY_TAG = "Environment"


@dataclass(frozen=True)
class TypeSummary:
    """How many resources of a type, and how many per value of the summary tag.

    ``by_tag`` maps each value to its count; None counts the resources without the tag.
    """

    type: str
    count: int
    tag_key: str = SUMMARY_TAG
    by_tag: Mapping[str | None, int] = field(default_factory=dict)


def summarize(resources: Iterable[Resource], tag_key: str = SUMMARY_TAG) -> list[TypeSummary]:
    """One summary per type present, in order of first appearance; tag values by count."""
    counts: dict[str, Counter[str | None]] = {}
    for resource in resources:
        counts.setdefault(resource.type, Counter())[resource.tags.get(tag_key)] += 1
    return [
        TypeSummary(
            type=type_name,
            count=sum(values.values()),
            tag_key=tag_key,
            by_tag=dict(
                sorted(values.items(), key=lambda item: (-item[1], item[0] is None, item[0] or ""))
            ),
        )
        for type_name, values in counts.items()
    ]
