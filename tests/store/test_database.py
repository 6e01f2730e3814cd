"""The store: its URL relative to the config directory, tables created once."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, Table, inspect

from sentinel.store import METADATA, Store, open_store, store_url
from sentinel.store.database import StoreError


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


def test_a_feature_adds_its_own_table_to_the_same_store(tmp_path: Path) -> None:
    store = Store(store_url(None, tmp_path))
    later = Table(
        "slo_reviews", METADATA, Column("id", Integer, primary_key=True), extend_existing=True
    )
    store.ensure([later])
    store.ensure([later])  # idempotent
    assert "slo_reviews" in inspect(store.engine).get_table_names()
    assert (tmp_path / ".sentinel" / "sentinel.db").exists()


def test_open_store_uses_the_project_setting(tmp_path: Path) -> None:
    class Project:
        store = "sqlite:///state/s.db"

    class Config:
        project = Project()
        root = tmp_path

    assert open_store(Config()).url == f"sqlite:///{tmp_path / 'state' / 's.db'}"
