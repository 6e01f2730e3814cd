"""The inventory: resources of known types, listed once per (type, region) and filtered by tags."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import botocore.exceptions

import sentinel.inventory.services  # noqa: F401  (registers the code per type)
from sentinel.aws.failures import describe
from sentinel.aws.session import SessionFactory
from sentinel.errors import AwsError
from sentinel.inventory.catalog import KNOWN_RESOURCE_TYPES, ResourceType, resource_type
from sentinel.inventory.listing import Listing, list_resources
from sentinel.inventory.resource import Resource, TagFilter

MAX_PARALLEL_LISTINGS = 8


def inventory_calls(types: Iterable[str] | None = None) -> set[str]:
    """The AWS calls listing ``types`` (every known type by default) makes, as declared by the
    catalog and the code per type, and the account's id for ARNs the listings do not return."""
    from sentinel.inventory.registry import CALLS

    names = KNOWN_RESOURCE_TYPES if types is None else list(types)
    calls = {"sts:GetCallerIdentity"}
    for name in names:
        calls.update(resource_type(name).calls)
        calls.update(CALLS.get(name, ()))
    return calls


class Inventory:
    """Resources in the given regions (the factory's region by default).

    Each (type, region) is listed at most once per Inventory, so every template over a type
    shares one listing; tag filters are applied to the cached listing.
    """

    def __init__(
        self,
        factory: SessionFactory,
        regions: list[str] | None = None,
        *,
        page_size: int | None = None,
    ) -> None:
        self.factory = factory
        self.regions = list(dict.fromkeys(regions)) if regions else [factory.region]
        self.page_size = page_size
        self._listed: dict[tuple[str, str], list[Resource]] = {}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()
        self._account_lock = threading.Lock()
        self._account: str | None = None

    def discover(
        self,
        type: str,
        tags: TagFilter | None = None,
        region: str | None = None,
    ) -> list[Resource]:
        """Resources of ``type`` whose tags match ``tags``, in ``region`` or every region."""
        spec = resource_type(type)
        found = [
            resource
            for place in self._regions_of(spec, region)
            for resource in self._listing(spec, place)
        ]
        return [resource for resource in found if resource.matches(tags)]

    def all(self, types: Iterable[str] | None = None) -> list[Resource]:
        """Every resource of ``types`` (all known types by default), tagged or not."""
        names = KNOWN_RESOURCE_TYPES if types is None else list(types)
        specs = {name: resource_type(name) for name in names}
        jobs = [(spec, place) for spec in specs.values() for place in self._regions_of(spec)]
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL_LISTINGS, len(jobs) or 1)) as pool:
            listings = list(pool.map(lambda job: self._listing(*job), jobs))
        return [resource for listed in listings for resource in listed]

    def account(self) -> str:
        """The account's id (one STS call a run, the first time it is needed)."""
        with self._account_lock:
            if self._account is None:
                self._account = self.factory.caller_account()
            return self._account

    def _regions_of(self, spec: ResourceType, region: str | None = None) -> list[str]:
        if spec.region is not None:
            return [spec.region]
        return [region] if region else self.regions

    def _listing(self, spec: ResourceType, region: str) -> list[Resource]:
        key = (spec.name, region)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._listed:
                self._listed[key] = self._list(spec, region)
            return list(self._listed[key])

    def _list(self, spec: ResourceType, region: str) -> list[Resource]:
        listing = Listing(self.factory, spec, region, self.account, page_size=self.page_size)
        try:
            return list_resources(listing)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as exc:
            raise AwsError(f"cannot list {spec.name} in {region}: {describe(exc)}") from exc
