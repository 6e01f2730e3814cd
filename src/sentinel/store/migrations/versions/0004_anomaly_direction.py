"""Stored cost anomalies have a direction: a spike, or a drop (spend that fell).

Every anomaly stored before this revision is a spike, the only kind the scan reported.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cost_anomalies") as table:
        table.add_column(
            sa.Column("direction", sa.String(5), nullable=False, server_default="spike")
        )


def downgrade() -> None:
    with op.batch_alter_table("cost_anomalies") as table:
        table.drop_column("direction")
