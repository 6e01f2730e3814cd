"""The router's deliveries (message, destination) become "once" records of scope ``router``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE = "router"
ONCE = sa.table(
    "once_records",
    sa.column("scope", sa.String),
    sa.column("key", sa.String),
    sa.column("part", sa.String),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("started_at", sa.DateTime),
    sa.column("done_at", sa.DateTime),
)
ROUTER_DELIVERIES = sa.table(
    "router_deliveries",
    sa.column("message_id", sa.String),
    sa.column("destination", sa.String),
    sa.column("delivered_at", sa.DateTime),
)


def upgrade() -> None:
    bind = op.get_bind()
    moved = sa.select(
        sa.literal(SCOPE),
        ROUTER_DELIVERIES.c.message_id,
        ROUTER_DELIVERIES.c.destination,
        sa.literal("done"),
        sa.literal(1),
        ROUTER_DELIVERIES.c.delivered_at,
        ROUTER_DELIVERIES.c.delivered_at,
    )
    columns = ["scope", "key", "part", "status", "attempts", "started_at", "done_at"]
    bind.execute(sa.insert(ONCE).from_select(columns, moved))
    op.drop_table("router_deliveries")


def downgrade() -> None:
    op.create_table(
        "router_deliveries",
        sa.Column("message_id", sa.String(200), primary_key=True),
        sa.Column("destination", sa.String(300), primary_key=True),
        sa.Column("delivered_at", sa.DateTime, nullable=False),
    )
    bind = op.get_bind()
    back = sa.select(ONCE.c.key, ONCE.c.part, ONCE.c.done_at).where(
        ONCE.c.scope == SCOPE, ONCE.c.status == "done"
    )
    bind.execute(
        sa.insert(ROUTER_DELIVERIES).from_select(
            ["message_id", "destination", "delivered_at"], back
        )
    )
    bind.execute(sa.delete(ONCE).where(ONCE.c.scope == SCOPE))
