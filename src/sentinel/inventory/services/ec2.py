"""EC2 instances: DescribeInstances returns reservations; the owner is the reservation's."""

from __future__ import annotations

from typing import Any

from sentinel.inventory.listing import Listing
from sentinel.inventory.registry import enumerates


@enumerates("ec2:instance")
def instances(listing: Listing) -> list[dict[str, Any]]:
    return [
        {**instance, "OwnerId": reservation.get("OwnerId")}
        for reservation in listing.items()
        for instance in reservation.get("Instances", [])
    ]
