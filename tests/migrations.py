"""A newer Sentinel's migrations (this one's and one more), for the schema-version tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sentinel.store import schema

LATER = '''"""A later revision, as a newer Sentinel would ship it."""

import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("later_table", sa.Column("id", sa.Integer, primary_key=True))


def downgrade() -> None:
    op.drop_table("later_table")
'''


@pytest.fixture
def this_sentinel() -> str:
    """The newest revision this Sentinel knows."""
    return schema.head()


@pytest.fixture
def newer_sentinel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, this_sentinel: str
) -> Iterator[str]:
    """Makes this process the next version of Sentinel: its migrations end in one more
    revision, "9999", after this version's head; yields that revision."""
    migrations = tmp_path / "newer-migrations"
    shutil.copytree(schema.MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "9999_later.py").write_text(LATER.format(head=this_sentinel))
    monkeypatch.setattr(schema, "MIGRATIONS", migrations)
    schema.scripts.cache_clear()
    yield "9999"
    schema.scripts.cache_clear()


def as_this_sentinel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Back to this version's migrations, within a test that used ``newer_sentinel``."""
    monkeypatch.setattr(schema, "MIGRATIONS", Path(schema.__file__).with_name("migrations"))
    schema.scripts.cache_clear()
