"""Route 53 health check calls moto answers unlike AWS: paging, updates, caller references.

Changed to behave as AWS does: ListHealthChecks pages with MaxItems and Marker (in a stable
order); UpdateHealthCheck changes only the elements it is given (moto drops the regions of a
call that names none), resets those in ResetElements, refuses a stale HealthCheckVersion and
counts the version up; CreateHealthCheck with a caller reference used before answers the same
health check when the settings are the same and HealthCheckAlreadyExists when they differ;
ListTagsForResources refuses more than ten ids, as AWS does (moto answers any number).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from moto.core.responses import ActionResult
from moto.route53.exceptions import NoSuchHealthCheck, Route53ClientError
from moto.route53.models import HealthCheck, Route53Backend
from moto.route53.responses import Route53

from sentinel.aws.request_model import service_model

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
_UPDATABLE = {
    "IPAddress": "ip_address",
    "Port": "port",
    "ResourcePath": "resource_path",
    "FullyQualifiedDomainName": "fqdn",
    "SearchString": "search_string",
    "FailureThreshold": "failure_threshold",
    "HealthThreshold": "health_threshold",
    "Inverted": "inverted",
    "Disabled": "disabled",
    "EnableSNI": "enable_sni",
}
# ResetElements names and what they reset to (AWS's defaults).
_RESETTABLE: dict[str, tuple[str, Any]] = {
    "FullyQualifiedDomainName": ("fqdn", None),
    "Regions": ("regions", []),
    "ResourcePath": ("resource_path", None),
    "ChildHealthChecks": ("children", []),
}
_moto_create = Route53.create_health_check
_moto_list_tags = Route53.list_tags_for_resources


class HealthCheckAlreadyExists(Route53ClientError):
    def __init__(self, reference: str) -> None:
        super().__init__(
            "HealthCheckAlreadyExists",
            f"A health check with caller reference {reference} exists with other settings.",
        )


class HealthCheckVersionMismatch(Route53ClientError):
    def __init__(self) -> None:
        super().__init__(
            "HealthCheckVersionMismatch",
            "The value of HealthCheckVersion does not match the health check's current version.",
        )


class InvalidInput(Route53ClientError):
    def __init__(self, message: str) -> None:
        super().__init__("InvalidInput", message)


def install() -> None:
    Route53.list_health_checks = _list_health_checks  # type: ignore[method-assign]
    Route53.update_health_check = _update_health_check  # type: ignore[method-assign]
    Route53.create_health_check = _create_health_check  # type: ignore[method-assign]
    Route53.list_tags_for_resources = _list_tags_for_resources  # type: ignore[method-assign]


@cache
def _tag_ids_limit() -> int:
    """ListTagsForResources' ResourceIds maximum, from botocore's model (TagResourceIdList)."""
    shape = service_model("route53").shape_for("TagResourceIdList")
    return int(shape.metadata["max"])


def _list_tags_for_resources(self: Route53) -> ActionResult:
    ids = self._get_param("ResourceIds") or []
    if len(ids) > _tag_ids_limit():
        raise InvalidInput(
            f"1 validation error detected: Value at 'resourceIds' failed to satisfy constraint: "
            f"Member must have length less than or equal to {_tag_ids_limit()}"
        )
    answer: ActionResult = _moto_list_tags(self)
    return answer


def _settings(check: HealthCheck) -> tuple[Any, ...]:
    return (
        check.type_,
        check.fqdn,
        check.port,
        check.resource_path,
        check.request_interval,
        check.failure_threshold,
        check.search_string,
        sorted(check.regions or []),
    )


def _create_health_check(self: Route53) -> Any:
    reference = self._get_param("CallerReference")
    before = {c.caller_reference: c for c in self.backend.list_health_checks()}
    answer = _moto_create(self)
    created = next(
        c
        for c in self.backend.list_health_checks()
        if c.caller_reference == reference and c not in before.values()
    )
    earlier = before.get(reference)
    if earlier is None:
        return answer
    # The reference names one request: the same settings again are that request retried.
    self.backend.delete_health_check(created.id)
    if _settings(earlier) != _settings(created):
        raise HealthCheckAlreadyExists(reference)
    return ActionResult({"HealthCheck": earlier})


def _list_health_checks(self: Route53) -> ActionResult:
    max_items = self._get_int_param("MaxItems", DEFAULT_PAGE_SIZE)
    if not 1 <= max_items <= MAX_PAGE_SIZE:
        raise InvalidInput(f"MaxItems must be between 1 and {MAX_PAGE_SIZE}")
    marker = self._get_param("Marker")
    checks = sorted(self.backend.list_health_checks(), key=lambda c: c.id)
    start = 0
    if marker:
        ids = [c.id for c in checks]
        if marker not in ids:
            raise InvalidInput(f"Invalid marker {marker}")
        start = ids.index(marker)
    page = checks[start : start + max_items]
    rest = checks[start + max_items :]
    result: dict[str, Any] = {
        "HealthChecks": page,
        "Marker": marker or "",
        "IsTruncated": bool(rest),
        "MaxItems": str(max_items),
    }
    if rest:
        result["NextMarker"] = rest[0].id
    return ActionResult(result)


def _update_health_check(self: Route53) -> ActionResult:
    backend: Route53Backend = self.backend
    check_id = self._get_param("HealthCheckId")
    check = backend.health_checks.get(check_id)
    if check is None:
        raise NoSuchHealthCheck(check_id)
    version = self._get_param("HealthCheckVersion")
    if version is not None and int(version) != check.health_check_version:
        raise HealthCheckVersionMismatch()
    for name, attribute in _UPDATABLE.items():
        value = self._get_param(name)
        if value is not None:
            setattr(check, attribute, value)
    regions = self._get_param("Regions")
    if regions:
        check.set_regions(regions)
    children = self._get_param("ChildHealthChecks")
    if children:
        check.set_children(children)
    for element in self._get_param("ResetElements") or []:
        attribute, default = _RESETTABLE[element]
        if attribute in ("regions", "children"):
            getattr(check, f"set_{attribute}")(default)
        else:
            setattr(check, attribute, default)
    check.health_check_version += 1
    return ActionResult({"HealthCheck": check})
