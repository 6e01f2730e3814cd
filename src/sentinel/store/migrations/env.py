"""Alembic's environment for the store: run on the connection that ``sentinel.store.schema`` gives.

No ``alembic.ini``: the configuration is built in code, and the connection (with its transaction
and, on PostgreSQL, its migration lock) comes in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    # SQLite alters a table by copying it; later migrations use op.batch_alter_table.
    render_as_batch=True,
    transaction_per_migration=False,
)
with context.begin_transaction():
    context.run_migrations()
