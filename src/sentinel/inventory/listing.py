"""Listing one resource type in one region: paged calls, then items -> ``Resource``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.inventory.catalog import ResourceType
from sentinel.inventory.expressions import search
from sentinel.inventory.registry import DERIVERS, ENUMERATORS
from sentinel.inventory.resource import Resource


class Listing:
    """What listing a type in a region needs: its clients, paging and the account.

    ``page_size`` overrides the catalog's page sizes (each API's maximum), within the API's
    bounds.
    """

    def __init__(
        self,
        factory: SessionFactory,
        spec: ResourceType,
        region: str,
        account: Callable[[], str],
        page_size: int | None = None,
    ) -> None:
        self.factory = factory
        self.spec = spec
        self.region = region
        self._account = account
        self._page_size = page_size

    @cached_property
    def partition(self) -> str:
        # From the client, not the shared boto3 Session: sessions are not thread-safe.
        return str(self.client().meta.partition)

    def account(self) -> str:
        """The account's id, for ARNs the listing does not return (one STS call per inventory)."""
        return self._account()

    def client(self, service: str | None = None) -> Any:
        return self.factory.client(service or self.spec.service, region=self.region)

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One call of the type's own service."""
        return getattr(self.client(), operation)(**params)

    def paginate(
        self,
        operation: str,
        result: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int | None = None,
        min_page_size: int = 1,
        service: str | None = None,
    ) -> Iterator[Any]:
        """The items of every page; one call per page."""
        config: dict[str, int] = {}
        if page_size is not None:
            wanted = page_size if self._page_size is None else min(self._page_size, page_size)
            config["PageSize"] = max(wanted, min_page_size)
        paginator = self.client(service).get_paginator(operation)
        for page in paginator.paginate(**dict(params or {}), PaginationConfig=config):
            yield from search(result, page) or []

    def items(self, **params: Any) -> list[Any]:
        """The items of the type's own listing call, as the catalog describes it."""
        call = self.spec.listing
        fixed = {
            key: value.replace("{region}", self.region) if isinstance(value, str) else value
            for key, value in call.params.items()
        }
        found = list(
            self.paginate(
                call.operation,
                call.result,
                {**fixed, **params},
                page_size=call.page_size,
                min_page_size=call.min_page_size,
            )
        )
        if call.wrap:
            return [{call.wrap: item} for item in found]
        return found


def list_resources(listing: Listing) -> list[Resource]:
    """Every resource of the listing's type in its region, with tags and attributes."""
    spec = listing.spec
    enumerate_items = ENUMERATORS.get(spec.name, Listing.items)
    items: list[Mapping[str, Any]] = enumerate_items(listing)
    if not items:
        return []
    ids = [str(search(spec.id, item)) for item in items]
    owners = [_arn_and_account(listing, item, id_) for item, id_ in zip(items, ids, strict=True)]
    arns = [arn for arn, _ in owners]
    tags = spec.tags.read(listing, items, arns)
    attributes = [
        {name: search(expression, item) for name, expression in spec.attributes.items()}
        for item in items
    ]
    derive = DERIVERS.get(spec.name)
    if derive is not None:
        for own, derived in zip(attributes, derive(listing, items), strict=True):
            own.update(derived)
    return [
        Resource(
            type=spec.name,
            id=id_,
            arn=arn,
            region=listing.region,
            account=account,
            tags=tag_set,
            attributes=attribute_set,
        )
        for id_, (arn, account), tag_set, attribute_set in zip(
            ids, owners, tags, attributes, strict=True
        )
    ]


def _arn_and_account(listing: Listing, item: Mapping[str, Any], id_: str) -> tuple[str, str | None]:
    spec = listing.spec
    account = search(spec.account, item) if spec.account else None
    if spec.arn is not None:
        arn = str(search(spec.arn, item))
        return arn, account or _account_in(arn)
    template = spec.arn_template or ""
    if account is None and "{account}" in template:
        account = listing.account()
    arn = template.format(
        partition=listing.partition, region=listing.region, account=account or "", id=id_
    )
    return arn, account


def _account_in(arn: str) -> str | None:
    parts = arn.split(":", 5)
    return (parts[4] or None) if len(parts) > 4 else None
