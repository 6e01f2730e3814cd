"""One "once" record for what must be done only once: the daemon's runs, the outbox's
deliveries and the Cost Explorer answers paid for move into ``once_records``.

``job_runs`` becomes scope ``job``, ``cost_answers`` scope ``cost:<source>``; the outbox's
``deliveries`` keeps its queue columns, and its claim, its arrival and its delivered parts
(``progress``) become records of scope ``delivery``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLAIMED, DONE, FAILED = "claimed", "done", "failed"
RUN_STATUS = {"running": CLAIMED, "succeeded": DONE, "failed": FAILED}
# Pieces of a delivery recorded together (a Slack post: its ts and channel).
TOGETHER = ("channel_id", "ts")

ONCE = sa.table(
    "once_records",
    sa.column("scope", sa.String),
    sa.column("key", sa.String),
    sa.column("part", sa.String),
    sa.column("status", sa.String),
    sa.column("holder", sa.String),
    sa.column("lease_until", sa.DateTime),
    sa.column("attempts", sa.Integer),
    sa.column("started_at", sa.DateTime),
    sa.column("done_at", sa.DateTime),
    sa.column("detail", sa.JSON),
    sa.column("outcome", sa.Text),
)
JOB_RUNS = sa.table(
    "job_runs",
    sa.column("job", sa.String),
    sa.column("period", sa.String),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("started_at", sa.DateTime),
    sa.column("finished_at", sa.DateTime),
    sa.column("summary", sa.Text),
    sa.column("holder", sa.String),
    sa.column("lease_until", sa.DateTime),
    sa.column("scheduled_at", sa.DateTime),
)
COST_ANSWERS = sa.table(
    "cost_answers",
    sa.column("source", sa.String),
    sa.column("key", sa.String),
    sa.column("fetched_at", sa.DateTime),
    sa.column("payload", sa.JSON),
)
DELIVERIES = sa.table(
    "deliveries",
    sa.column("key", sa.String),
    sa.column("progress", sa.JSON),
    sa.column("status", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("claimed_until", sa.DateTime),
    sa.column("last_error", sa.Text),
    sa.column("created_at", sa.DateTime),
    sa.column("delivered_at", sa.DateTime),
)
DELIVERY_COLUMNS = (
    ("progress", sa.JSON),
    ("status", sa.String(12)),
    ("claimed_until", sa.DateTime),
    ("delivered_at", sa.DateTime),
)


def upgrade() -> None:
    op.create_table(
        "once_records",
        sa.Column("scope", sa.String(300), primary_key=True),
        sa.Column("key", sa.String(700), primary_key=True),
        sa.Column("part", sa.String(300), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime, nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.Column("outcome", sa.Text, nullable=True),
    )
    bind = op.get_bind()
    records = [*_runs(bind), *_answers(bind), *_deliveries(bind)]
    for start in range(0, len(records), 500):
        bind.execute(sa.insert(ONCE), records[start : start + 500])
    op.drop_table("job_runs")
    op.drop_table("cost_answers")
    with op.batch_alter_table("deliveries") as table:
        for name, _ in DELIVERY_COLUMNS:
            table.drop_column(name)


def downgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(100), primary_key=True),
        sa.Column("period", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=True),
        sa.Column("summary", sa.Text, nullable=True),
        sa.Column("holder", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime, nullable=True),
        sa.Column("scheduled_at", sa.DateTime, nullable=True),
    )
    op.create_table(
        "cost_answers",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("key", sa.String(700), primary_key=True),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
    )
    with op.batch_alter_table("deliveries") as table:
        for name, kind in DELIVERY_COLUMNS:
            table.add_column(sa.Column(name, kind, nullable=True))
    rows = bind.execute(sa.select(ONCE)).mappings().all()
    back = {status: name for name, status in RUN_STATUS.items()}
    runs, answers = [], []
    deliveries: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["scope"] == "job":
            detail = row["detail"] if isinstance(row["detail"], dict) else {}
            scheduled = detail.get("scheduled_at")
            runs.append(
                {
                    "job": row["key"],
                    "period": row["part"],
                    "status": back[row["status"]],
                    "attempts": row["attempts"],
                    "started_at": row["started_at"],
                    "finished_at": row["done_at"],
                    "summary": row["outcome"],
                    "holder": row["holder"],
                    "lease_until": row["lease_until"],
                    "scheduled_at": datetime.fromisoformat(scheduled) if scheduled else None,
                }
            )
        elif row["scope"].startswith("cost:") and row["status"] == DONE:
            answers.append(
                {
                    "source": row["scope"].removeprefix("cost:"),
                    "key": row["key"],
                    "fetched_at": row["done_at"],
                    "payload": row["detail"],
                }
            )
        elif row["scope"] == "delivery":
            found = deliveries.setdefault(row["key"], {"progress": {}})
            if row["part"] == "":
                if row["status"] == DONE:
                    found.update(status="delivered", delivered_at=row["done_at"])
                elif row["status"] == CLAIMED:
                    found.update(status="sending", claimed_until=row["lease_until"])
            elif row["status"] == DONE and isinstance(row["detail"], dict):
                found["progress"].update(row["detail"])
    if runs:
        bind.execute(sa.insert(JOB_RUNS), runs)
    if answers:
        bind.execute(sa.insert(COST_ANSWERS), answers)
    bind.execute(sa.update(DELIVERIES).values(progress={}, status="pending"))
    for key, values in deliveries.items():
        bind.execute(sa.update(DELIVERIES).where(DELIVERIES.c.key == key).values(**values))
    with op.batch_alter_table("deliveries") as table:
        table.alter_column("progress", existing_type=sa.JSON, nullable=False)
        table.alter_column("status", existing_type=sa.String(12), nullable=False)
    op.drop_table("once_records")


def _runs(bind: sa.Connection) -> list[dict[str, Any]]:
    return [
        {
            "scope": "job",
            "key": row["job"],
            "part": row["period"],
            "status": RUN_STATUS.get(row["status"], FAILED),
            "holder": row["holder"],
            "lease_until": row["lease_until"],
            "attempts": row["attempts"],
            "started_at": row["started_at"],
            "done_at": row["finished_at"],
            "detail": (
                {"scheduled_at": row["scheduled_at"].isoformat()} if row["scheduled_at"] else None
            ),
            "outcome": row["summary"],
        }
        for row in bind.execute(sa.select(JOB_RUNS)).mappings()
    ]


def _answers(bind: sa.Connection) -> list[dict[str, Any]]:
    return [
        _done(f"cost:{row['source']}", row["key"], "", row["fetched_at"], row["payload"])
        for row in bind.execute(sa.select(COST_ANSWERS)).mappings()
    ]


def _deliveries(bind: sa.Connection) -> list[dict[str, Any]]:
    records = []
    for row in bind.execute(sa.select(DELIVERIES)).mappings():
        key, progress = row["key"], dict(row["progress"] or {})
        when = row["delivered_at"] or row["created_at"]
        together = {k: progress.pop(k) for k in TOGETHER if k in progress}
        if together:
            records.append(_done("delivery", key, "+".join(sorted(together)), when, together))
        for name, value in progress.items():
            records.append(_done("delivery", key, name, when, {name: value}))
        if row["status"] == "delivered":
            records.append(_done("delivery", key, "", when, None))
        elif row["status"] == "sending":
            records.append(
                {
                    **_done("delivery", key, "", row["created_at"], None),
                    "status": CLAIMED,
                    "done_at": None,
                    "lease_until": row["claimed_until"],
                }
            )
    return records


def _done(scope: str, key: str, part: str, when: datetime, detail: Any) -> dict[str, Any]:
    return {
        "scope": scope,
        "key": key,
        "part": part,
        "status": DONE,
        "holder": None,
        "lease_until": None,
        "attempts": 1,
        "started_at": when,
        "done_at": when,
        "detail": detail,
        "outcome": None,
    }
