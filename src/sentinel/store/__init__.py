"""The daemon's store: one SQLAlchemy database for every feature's tables.

SQLite under the config directory by default (``.sentinel/sentinel.db``); any SQLAlchemy URL
(PostgreSQL for a shared deployment) in ``sentinel.yaml``'s ``store``. Each feature declares its
tables on ``METADATA`` in its own module and calls ``Store.ensure`` with them before use, so a
later feature adds tables without touching this package.
"""

from sentinel.store.database import METADATA, Store, open_store, store_url

__all__ = ["METADATA", "Store", "open_store", "store_url"]
