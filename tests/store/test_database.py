"""The store: its URL relative to the config directory, tables created once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from sentinel.store import Store, open_store, store_url
from sentinel.store.database import StoreError
from sentinel.store.outbox import DELIVERIES


def test_relative_sqlite_paths_are_relative_to_the_config_directory(tmp_path: Path) -> None:
    url = store_url("sqlite:///.sentinel/sentinel.db", tmp_path)
    assert url == f"sqlite:///{tmp_path / '.sentinel' / 'sentinel.db'}"
    assert store_url(None, tmp_path) == url
    assert store_url("sqlite:////var/lib/sentinel.db", tmp_path) == "sqlite:////var/lib/sentinel.db"
    postgres = "postgresql+psycopg://sentinel@db.internal/sentinel"
    assert store_url(postgres, tmp_path) == postgres


def test_invalid_url_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="invalid store URL"):
        store_url("not a url", tmp_path)


def test_a_feature_ensures_its_tables_in_the_same_store(tmp_path: Path) -> None:
    store = Store(store_url(None, tmp_path))
    store.ensure([DELIVERIES])
    store.ensure([DELIVERIES])  # idempotent
    assert "deliveries" in inspect(store.engine).get_table_names()
    assert (tmp_path / ".sentinel" / "sentinel.db").exists()


def test_open_store_uses_the_project_setting(tmp_path: Path) -> None:
    class Project:
        store = "sqlite:///state/s.db"

    class Config:
        project = Project()
        root = tmp_path

    assert open_store(Config()).url == f"sqlite:///{tmp_path / 'state' / 's.db'}"
