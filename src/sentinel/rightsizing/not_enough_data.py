"""A resource judged on too little: named with the reason, never given a recommendation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sentinel.inventory import Resource


@dataclass(frozen=True)
class NotEnoughData:
    resource_type: str
    resource_id: str
    name: str
    region: str
    reason: str
    source: str

    @classmethod
    def of(cls, resource: Resource, reason: str, source: str) -> NotEnoughData:
        return cls(resource.type, resource.id, resource.name, resource.region, reason, source)

    def as_dict(self) -> dict[str, Any]:
        return {
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "name": self.name,
            "region": self.region,
            "reason": self.reason,
            "source": self.source,
        }
