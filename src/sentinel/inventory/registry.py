"""Code per resource type, for what the catalog's data cannot say.

A type may replace how its items are listed (``@enumerates``) and add attributes computed from
more than one field or from one more call (``@derives``). Both work on all items of a listing at
once, so that extra calls are batched. Each declares the AWS calls it makes beyond the catalog's
listing (``calls=``, "<IAM prefix>:<Operation>", for ``sentinel iam-policy``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from sentinel.inventory.listing import Listing

Enumerator = Callable[["Listing"], list[Any]]
Deriver = Callable[["Listing", Sequence[Mapping[str, Any]]], list[dict[str, Any]]]
E = TypeVar("E", bound=Enumerator)
D = TypeVar("D", bound=Deriver)

ENUMERATORS: dict[str, Enumerator] = {}
DERIVERS: dict[str, Deriver] = {}
# Type name -> the calls its enumerator and deriver make beyond the catalog's listing.
CALLS: dict[str, tuple[str, ...]] = {}


def enumerates(type_name: str, calls: tuple[str, ...] = ()) -> Callable[[E], E]:
    """Register the function that lists the items of ``type_name`` in one region."""

    def register(func: E) -> E:
        ENUMERATORS[type_name] = func
        CALLS[type_name] = (*CALLS.get(type_name, ()), *calls)
        return func

    return register


def derives(type_name: str, calls: tuple[str, ...] = ()) -> Callable[[D], D]:
    """Register the function that computes extra attributes for every item of ``type_name``."""

    def register(func: D) -> D:
        DERIVERS[type_name] = func
        CALLS[type_name] = (*CALLS.get(type_name, ()), *calls)
        return func

    return register
