"""A discovered AWS resource and the tag filters that select resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

TagFilter = Mapping[str, "str | list[str]"]
"""Tag key -> the value it must have, or a list of values of which it must have one."""


@dataclass(frozen=True)
class Resource:
    """One resource of a known type, with its tags and type-specific attributes."""

    type: str
    id: str
    arn: str
    region: str
    account: str | None
    tags: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Resources are shared from the inventory's cache; nobody may change them in place.
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        object.__setattr__(self, "attributes", MappingProxyType(dict(self.attributes)))

    def __hash__(self) -> int:
        return hash((self.type, self.region, self.arn))

    @property
    def name(self) -> str:
        return self.tags.get("Name") or self.id

    def matches(self, tags: TagFilter | None) -> bool:
        """True when every key of ``tags`` is present with the value, or one of the values."""
        for key, wanted in (tags or {}).items():
            value = self.tags.get(key)
            if value is None:
                return False
            if isinstance(wanted, str):
                if value != wanted:
                    return False
            elif value not in wanted:
                return False
        return True

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "id": self.id,
            "name": self.name,
            "arn": self.arn,
            "region": self.region,
            "account": self.account,
            "tags": dict(self.tags),
            "attributes": dict(self.attributes),
        }
