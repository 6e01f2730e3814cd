"""SLO templates: an SLO with ``for_each`` is one SLO per discovered resource.

An instance is named as a templated alarm is, the template's name and the resource's id
(``api-availability`` over the load balancer ``caja-prod-alb`` is
``api-availability-caja-prod-alb``), and its placeholders (``{attr:dimension}``, ``{id}``,
``{tag:Service}``, ...) in the SLI metrics' dimensions and labels, the description and the
service are filled from the resource. Static SLOs are used as written, with no AWS read.

Every consumer (``slo status``, the weekly review, the burn-rate alarms of plan and apply)
expands here, over the inventory of the region it reads, so they all see the same SLOs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sentinel.config.models.base import MetricRef
from sentinel.naming import instance_name
from sentinel.sync.templates import TemplateError, expand, fill, fill_mapping

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config import Config
    from sentinel.config.models.monitors import Slo
    from sentinel.inventory import Inventory, Resource


@dataclass(frozen=True)
class SloInstance:
    """A concrete SLO and where its definition is (``file:line`` of the SLO or its template)."""

    slo: Slo
    source: str


def slo_instances(config: Config, inventory: Inventory, region: str) -> list[SloInstance]:
    """Every SLO of the config in ``region``, templates expanded, in config order.

    Two SLOs that end up with the same name (a static ``api-availability-web`` and the
    ``api-availability`` template over a resource ``web``) are an error naming both.
    """
    instances: list[SloInstance] = []
    seen: dict[str, str] = {}
    for slo in config.slos:
        source = config.source("slo", slo.name)
        for instance in expand_slo(slo, inventory, region, source):
            if instance.name in seen:
                raise TemplateError(
                    f"{source}: SLO {instance.name!r} is defined twice in {region} "
                    f"(also at {seen[instance.name]}): rename one or narrow the for_each"
                )
            seen[instance.name] = source
            instances.append(SloInstance(instance, source))
    return instances


def config_slos(config: Config, factory: SessionFactory, region: str) -> list[Slo]:
    """The SLOs ``slo status`` and the review evaluate: templates over ``region``'s resources."""
    from sentinel.inventory import Inventory

    inventory = Inventory(factory, regions=[region])
    return [instance.slo for instance in slo_instances(config, inventory, region)]


def expand_slo(slo: Slo, inventory: Inventory, region: str, source: str = "") -> list[Slo]:
    """The SLO itself, or one SLO per resource its ``for_each`` selects (sorted by id)."""
    if slo.for_each is None:
        return [slo]
    return [_instance(slo, r, source) for r in expand(slo.for_each, inventory, region)]


def _instance(slo: Slo, resource: Resource, source: str) -> Slo:
    def ref(metric: MetricRef | None) -> MetricRef | None:
        if metric is None:
            return None
        update: dict[str, Any] = {"dimensions": fill_mapping(metric.dimensions, resource, source)}
        if metric.label is not None:
            update["label"] = fill(metric.label, resource, source)
        return metric.model_copy(update=update)

    update: dict[str, Any] = {"name": instance_name(slo.name, resource.id), "for_each": None}
    for text in ("description", "service"):
        value = getattr(slo, text)
        if value is not None:
            update[text] = fill(value, resource, source)
    if slo.availability is not None:
        sli = slo.availability
        update["availability"] = sli.model_copy(
            update={"errors": ref(sli.errors), "good": ref(sli.good), "total": ref(sli.total)}
        )
    if slo.latency is not None:
        latency = slo.latency
        update["latency"] = latency.model_copy(
            update={"metric": ref(latency.metric), "total": ref(latency.total)}
        )
    return slo.model_copy(update=update)
