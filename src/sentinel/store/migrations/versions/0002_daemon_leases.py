"""The daemon's leases: who runs a job's claim, until when, and for which scheduled time.

Several daemons share one store: a ``running`` claim is taken over only once its holder has
stopped renewing it (``sentinel.daemon.ledger``). A claim from before this revision has no
lease, so it may be taken over as a claim whose lease has passed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEASE_COLUMNS = (
    ("holder", sa.String(200)),
    ("lease_until", sa.DateTime),
    ("scheduled_at", sa.DateTime),
)


def upgrade() -> None:
    for name, kind in LEASE_COLUMNS:
        op.add_column("job_runs", sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    # SQLite drops a column by copying the table: batch mode does that, elsewhere a plain ALTER.
    with op.batch_alter_table("job_runs") as table:
        for name, _ in reversed(LEASE_COLUMNS):
            table.drop_column(name)
