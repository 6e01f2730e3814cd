"""The store: its URL relative to the config directory, tables created once."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from tests.postgres import PostgresServer

from sentinel.cli import main
from sentinel.store import Store, open_store, store_url
from sentinel.store.database import StoreError
from sentinel.store.outbox import DELIVERIES, Outbox


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


PASSWORD = "s3cret-never-shown"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("not a url", "invalid store URL 'not a url'"),
        (
            f"postgresql+psycopg://sentinel:{PASSWORD}@db.internal:notaport/sentinel",
            "invalid store URL 'postgresql+psycopg://sentinel:***@db.internal:notaport/sentinel'",
        ),
        (
            f"postgresql+psycopg2://sentinel:{PASSWORD}@db.internal/sentinel",
            "cannot open store postgresql+psycopg2://sentinel:***@db.internal/sentinel: "
            "its driver is not installed (No module named 'psycopg2')",
        ),
        (
            f"postgresql+nosuchdriver://sentinel:{PASSWORD}@db.internal/sentinel",
            "cannot open store postgresql+nosuchdriver://sentinel:***@db.internal/sentinel: "
            "Can't load plugin",
        ),
    ],
    ids=["not-a-url", "bad-port", "missing-driver", "unknown-driver"],
)
def test_a_store_url_that_cannot_be_opened_is_named_without_its_password(
    url: str, said: str
) -> None:
    with pytest.raises(StoreError) as refused:
        Outbox(Store(url))
    assert said in str(refused.value)
    assert PASSWORD not in str(refused.value)


def test_a_server_that_refuses_the_connection(unused_port: int) -> None:
    url = f"postgresql+psycopg://sentinel:{PASSWORD}@127.0.0.1:{unused_port}/sentinel"
    with pytest.raises(StoreError) as refused:
        Outbox(Store(url))
    message = str(refused.value)
    assert message.startswith(
        f"cannot connect to store postgresql+psycopg://sentinel:***@127.0.0.1:{unused_port}/"
        "sentinel: "
    )
    assert "Connection refused" in message
    assert PASSWORD not in message


def test_a_wrong_password(postgres_server: PostgresServer, postgres_url: str) -> None:
    postgres_server.role_with_password("sentinel_pw", "the-right-one")
    url = make_url(postgres_url).set(username="sentinel_pw", password=PASSWORD)
    with pytest.raises(StoreError) as refused:
        Outbox(Store(url.render_as_string(hide_password=False)))
    message = str(refused.value)
    assert message.startswith("cannot connect to store postgresql+psycopg://sentinel_pw:***@/")
    assert 'password authentication failed for user "sentinel_pw"' in message
    assert PASSWORD not in message


def test_the_cli_names_the_store_without_its_password(unused_port: int) -> None:
    url = f"postgresql+psycopg://sentinel:{PASSWORD}@127.0.0.1:{unused_port}/sentinel"
    result = CliRunner().invoke(main, ["db", "status", "--store", url])
    assert result.exit_code == 1
    assert (
        f"cannot connect to store postgresql+psycopg://sentinel:***@127.0.0.1:{unused_port}/"
        in (" ".join(result.output.split()))
    )
    assert PASSWORD not in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def unused_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
