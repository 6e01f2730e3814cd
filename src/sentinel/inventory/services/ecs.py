"""ECS clusters and services: ARNs from the list calls, details and tags in batches.

A service's cpu and memory come from its task definition; each distinct definition is
described once per listing, however many services run it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sentinel.inventory.listing import Listing
from sentinel.inventory.registry import derives, enumerates
from sentinel.inventory.tagging import batches

DESCRIBE_CLUSTERS_BATCH = 100
DESCRIBE_SERVICES_BATCH = 10
LIST_CLUSTERS_PAGE = 100


@enumerates("ecs:cluster", calls=("ecs:DescribeClusters",))
def clusters(listing: Listing) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for chunk in batches(listing.items(), DESCRIBE_CLUSTERS_BATCH):
        response = listing.call("describe_clusters", clusters=chunk, include=["TAGS"])
        found.extend(response.get("clusters", []))
    return found


@enumerates("ecs:service", calls=("ecs:ListClusters", "ecs:DescribeServices"))
def services(listing: Listing) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cluster_arns = listing.paginate("list_clusters", "clusterArns", page_size=LIST_CLUSTERS_PAGE)
    for cluster_arn in cluster_arns:
        service_arns = listing.items(cluster=cluster_arn)
        for chunk in batches(service_arns, DESCRIBE_SERVICES_BATCH):
            response = listing.call(
                "describe_services", cluster=cluster_arn, services=chunk, include=["TAGS"]
            )
            found.extend(response.get("services", []))
    return found


@derives("ecs:service", calls=("ecs:DescribeTaskDefinition",))
def service_attributes(
    listing: Listing, items: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    definitions: dict[str, Mapping[str, Any]] = {}
    for item in items:
        arn = item.get("taskDefinition")
        if arn and arn not in definitions:
            response = listing.call("describe_task_definition", taskDefinition=arn)
            definitions[arn] = response["taskDefinition"]
    derived = []
    for item in items:
        cpu, memory = task_size(definitions.get(item.get("taskDefinition") or "", {}))
        derived.append(
            {
                "cluster": str(item.get("clusterArn", "")).rsplit("/", 1)[-1] or None,
                "cpu": cpu,
                "memory": memory,
            }
        )
    return derived


def task_size(definition: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """CPU units and MiB of a task: the task-level size, else the sum over its containers."""
    cpu = _units(definition.get("cpu"))
    memory = _units(definition.get("memory"))
    containers = definition.get("containerDefinitions", [])
    if cpu is None:
        cpu = sum(c.get("cpu") or 0 for c in containers) or None
    if memory is None:
        memory = sum(c.get("memory") or c.get("memoryReservation") or 0 for c in containers) or None
    return cpu, memory


def _units(value: Any) -> int | None:
    """Task-level sizes are strings, in units ("512") or, as AWS also accepts, "0.5 vCPU"/"1 GB"."""
    if value is None or value == "":
        return None
    text = str(value).strip().lower()
    for suffix, factor in (("vcpu", 1024), ("gb", 1024)):
        if text.endswith(suffix):
            return int(float(text.removesuffix(suffix).strip()) * factor)
    return int(float(text))
