"""ELBv2 load balancers and target groups, with the names CloudWatch uses as dimensions.

CloudWatch names a load balancer "app/<name>/<hash>" (the end of its ARN) and a target group
"targetgroup/<name>/<hash>".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sentinel.inventory.listing import Listing
from sentinel.inventory.registry import derives

# A target group's protocol decides which kind of load balancer it can serve; Lambda target
# groups have no protocol and serve application load balancers only.
_LOAD_BALANCER_TYPE_BY_PROTOCOL = {
    "HTTP": "application",
    "HTTPS": "application",
    "TCP": "network",
    "TLS": "network",
    "UDP": "network",
    "TCP_UDP": "network",
    "GENEVE": "gateway",
}


def load_balancer_dimension(arn: str) -> str:
    return arn.split(":loadbalancer/", 1)[1]


def target_group_dimension(arn: str) -> str:
    return arn.split(":", 5)[5]


@derives("elasticloadbalancing:loadbalancer")
def load_balancer_attributes(
    listing: Listing, items: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    return [{"dimension": load_balancer_dimension(item["LoadBalancerArn"])} for item in items]


@derives("elasticloadbalancing:targetgroup")
def target_group_attributes(
    listing: Listing, items: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    derived = []
    for item in items:
        balancers = [load_balancer_dimension(arn) for arn in item.get("LoadBalancerArns", [])]
        derived.append(
            {
                "dimension": target_group_dimension(item["TargetGroupArn"]),
                "load_balancer_dimensions": balancers,
                "load_balancer_dimension": balancers[0] if balancers else None,
                "load_balancer_type": _LOAD_BALANCER_TYPE_BY_PROTOCOL.get(
                    item.get("Protocol") or "HTTP", "application"
                ),
            }
        )
    return derived
