"""The store's tables as Sentinel created them before migrations, and APScheduler's job table.

A store made before migrations holds some of these tables (each feature created its own on
first use): this revision creates only the tables that are missing, so ``upgrade`` adopts such a
store, after ``sentinel.store.schema`` has checked that the tables it has are these.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the tables at this revision: later changes to the feature modules' tables
# go in later revisions, never here.
TABLES = sa.MetaData()

sa.Table(
    "router_messages",
    TABLES,
    sa.Column("message_id", sa.String(200), primary_key=True),
    sa.Column("alert_key", sa.String(1024), nullable=True),
    sa.Column("outcome", sa.String(40), nullable=False),
    sa.Column("completed_at", sa.DateTime, nullable=False),
)
sa.Table(
    "router_deliveries",
    TABLES,
    sa.Column("message_id", sa.String(200), primary_key=True),
    sa.Column("destination", sa.String(300), primary_key=True),
    sa.Column("delivered_at", sa.DateTime, nullable=False),
)
sa.Table(
    "router_alarms",
    TABLES,
    sa.Column("alert_key", sa.String(1024), primary_key=True),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("severity", sa.String(100), nullable=False),
    sa.Column("last_event_at", sa.DateTime, nullable=False),
    sa.Column("last_message_id", sa.String(200), nullable=False),
    sa.Column("notified_state", sa.String(20), nullable=True),
    sa.Column("notified_at", sa.DateTime, nullable=True),
    sa.Column("notified_alert", sa.JSON, nullable=True),
    sa.Column("escalated_at", sa.DateTime, nullable=True),
    sa.Column("acknowledged_at", sa.DateTime, nullable=True),
)
sa.Table(
    "router_held",
    TABLES,
    sa.Column("alert_key", sa.String(1024), primary_key=True),
    sa.Column("severity", sa.String(100), nullable=False),
    sa.Column("alert", sa.JSON, nullable=False),
    sa.Column("first_state", sa.String(20), nullable=False),
    sa.Column("transitions", sa.Integer, nullable=False),
    sa.Column("held_at", sa.DateTime, nullable=False),
    sa.Column("release_at", sa.DateTime, nullable=False),
    sa.Column("reasons", sa.String(300), nullable=False),
    sa.Column("digest", sa.Boolean, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
)
sa.Table(
    "router_pages",
    TABLES,
    sa.Column("alert_key", sa.String(1024), primary_key=True),
    sa.Column("severity", sa.String(100), nullable=False),
    sa.Column("alert", sa.JSON, nullable=False),
    sa.Column("paged_at", sa.DateTime, nullable=False),
    sa.Column("due_at", sa.DateTime, nullable=False),
    sa.Column("outcome", sa.String(40), nullable=True),
    sa.Column("closed_at", sa.DateTime, nullable=True),
)
sa.Table(
    "router_threads",
    TABLES,
    sa.Column("alert_key", sa.String(1024), primary_key=True),
    sa.Column("destination", sa.String(300), primary_key=True),
    sa.Column("channel", sa.String(100), nullable=False),
    sa.Column("ts", sa.String(40), nullable=False),
)
sa.Table(
    "job_runs",
    TABLES,
    sa.Column("job", sa.String(100), primary_key=True),
    sa.Column("period", sa.String(40), primary_key=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("summary", sa.Text, nullable=True),
)
sa.Table(
    "job_status",
    TABLES,
    sa.Column("job", sa.String(100), primary_key=True),
    sa.Column("period", sa.String(40), nullable=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("summary", sa.Text, nullable=True),
)
sa.Table(
    "deliveries",
    TABLES,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(300), nullable=False, unique=True),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("attachment", sa.LargeBinary, nullable=True),
    sa.Column("attachment_name", sa.String(200), nullable=True),
    sa.Column("progress", sa.JSON, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("claimed_until", sa.DateTime, nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("delivered_at", sa.DateTime, nullable=True),
)
sa.Table(
    "cost_anomalies",
    TABLES,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project", sa.String(100), nullable=False),
    sa.Column("series", sa.String(700), nullable=False),
    sa.Column("start", sa.Date, nullable=False),
    sa.Column("last_day", sa.Date, nullable=False),
    sa.Column("impact", sa.String(40), nullable=False),
    sa.Column("notified_impact", sa.String(40), nullable=False),
    sa.Column("notices", sa.Integer, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
sa.Table(
    "cost_days",
    TABLES,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("grouping", sa.String(200), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("estimated", sa.Boolean, nullable=False),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
)
sa.Table(
    "cost_amounts",
    TABLES,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("grouping", sa.String(200), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("k0", sa.String(512), primary_key=True),
    sa.Column("k1", sa.String(512), primary_key=True),
    sa.Column("amount", sa.String(40), nullable=False),
)
sa.Table(
    "cost_answers",
    TABLES,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("key", sa.String(700), primary_key=True),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
)
# APScheduler 3's SQLAlchemyJobStore table, as it declares it (it creates it only if missing).
sa.Table(
    "apscheduler_jobs",
    TABLES,
    sa.Column("id", sa.Unicode(191), primary_key=True),
    sa.Column("next_run_time", sa.Float(25), index=True),
    sa.Column("job_state", sa.LargeBinary, nullable=False),
)


def upgrade() -> None:
    # checkfirst: a store made before migrations keeps the tables it has.
    TABLES.create_all(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    TABLES.drop_all(op.get_bind(), checkfirst=True)
