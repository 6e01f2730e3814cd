"""The store's one error: what a user sees when the store cannot be opened or used."""

from __future__ import annotations

from sentinel.errors import SentinelError


class StoreError(SentinelError):
    """The store cannot be opened (bad URL, unwritable directory, unreachable database), or its
    schema is not the one this Sentinel needs."""
