"""The Resource Groups Tagging API's GetResources, with AWS's limit and a page size to test with.

- AWS refuses a ``ResourceARNList`` of more than 100 ARNs (InvalidParameterException); moto
  answers it. botocore's parameter validation leaves list maxima to the server.
- AWS answers a ``ResourceARNList`` in one response and refuses it beside ``TagFilters``,
  ``ResourceTypeFilters`` or any pagination parameter (``ResourcesPerPage``, ``TagsPerPage``,
  ``PaginationToken``: the service model's documentation of the parameter); moto pages it like a
  listing, so a reader could follow a token AWS would refuse.
- ``limit_pages(n)`` makes every GetResources page hold at most ``n`` resources (moto's own pages
  hold 50, or fewer when the resources carry many tags), so tests prove that every reader
  follows ``PaginationToken`` whatever the size of AWS's pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.resourcegroupstaggingapi.exceptions import ResourceGroupsTaggingAPIError
from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend
from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse

MAX_ARNS = 100  # ResourceARNList's maximum in the service model
_page_limit: int | None = None
# The parameters AWS refuses beside ResourceARNList, by their moto keyword argument; the page
# sizes, which moto's responses always pass (with defaults), are checked on the request.
_NOT_WITH_ARNS = {
    "TagFilters": "tag_filters",
    "ResourceTypeFilters": "resource_type_filters",
    "PaginationToken": "pagination_token",
}
_PAGE_SIZES = ("ResourcesPerPage", "TagsPerPage")


@contextmanager
def limit_pages(resources: int) -> Iterator[None]:
    """At most ``resources`` resources a GetResources page while the block runs."""
    global _page_limit
    previous, _page_limit = _page_limit, resources
    try:
        yield
    finally:
        _page_limit = previous


def install() -> None:
    original = ResourceGroupsTaggingAPIBackend.get_resources
    if getattr(original, "sentinel_tagging", False):
        return

    def get_resources(self: Any, *args: Any, **kwargs: Any) -> Any:
        arns = kwargs.get("resource_arn_list") or []
        if len(arns) > MAX_ARNS:
            raise ResourceGroupsTaggingAPIError(
                "InvalidParameterException",
                f"ResourceARNList has {len(arns)} ARNs; at most {MAX_ARNS} are allowed",
            )
        if arns:
            given = [name for name, key in _NOT_WITH_ARNS.items() if kwargs.get(key)]
            if given:
                raise ResourceGroupsTaggingAPIError(
                    "InvalidParameterException",
                    f"ResourceARNList cannot be specified with {', '.join(given)}",
                )
            # One response for the whole list, however many tags its resources carry. moto
            # tests every resource of the account against the list: as a set, not 100 compares.
            _, found = original(
                self,
                resource_arn_list=frozenset(arns),  # type: ignore[arg-type]
                resources_per_page=MAX_ARNS,
                tags_per_page=10**9,
            )
            return None, found
        if _page_limit is not None:
            per_page = kwargs.get("resources_per_page", 50)
            kwargs["resources_per_page"] = min(per_page, _page_limit)
        return original(self, *args, **kwargs)

    get_resources.sentinel_tagging = True  # type: ignore[attr-defined]
    ResourceGroupsTaggingAPIBackend.get_resources = get_resources  # type: ignore[method-assign]

    respond = ResourceGroupsTaggingAPIResponse.get_resources

    def get_resources_response(self: Any) -> Any:
        if self._get_param("ResourceARNList"):
            given = [name for name in _PAGE_SIZES if self._get_param(name) is not None]
            if given:
                raise ResourceGroupsTaggingAPIError(
                    "InvalidParameterException",
                    f"ResourceARNList cannot be specified with {', '.join(given)}",
                )
        return respond(self)

    ResourceGroupsTaggingAPIResponse.get_resources = get_resources_response  # type: ignore[method-assign]
