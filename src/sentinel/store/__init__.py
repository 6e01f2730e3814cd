"""The daemon's store: one SQLAlchemy database for every feature's tables.

SQLite under the config directory by default (``.sentinel/sentinel.db``); any SQLAlchemy URL
(PostgreSQL for a shared deployment, ``postgresql+psycopg://``) in ``sentinel.yaml``'s ``store``.
Each feature declares its tables on ``METADATA`` in its own module and calls ``Store.ensure``
with them before use, which checks the store's schema revision (``schema``). A feature that adds
or changes a table adds a migration under ``migrations/versions`` (the next number, its
``down_revision`` the previous head); ``tests/store/test_schema.py`` fails while the migrations
and ``METADATA`` differ.
"""

from sentinel.store.database import METADATA, Store, open_store, store_url

__all__ = ["METADATA", "Store", "open_store", "store_url"]
