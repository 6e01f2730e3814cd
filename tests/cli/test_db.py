"""``sentinel db status`` and ``sentinel db upgrade``; the daemon and the router refuse an old
store with the command to run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cost.project import write_config
from routing.scenario import write_project
from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.store import Store, schema, store_url


def sentinel(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_status_then_upgrade_of_an_empty_store(store_url: str, this_sentinel: str) -> None:
    before = sentinel("db", "status", "--store", store_url)
    assert before.exit_code == 0, before.output
    assert "Revision:        none (empty store" in before.output
    assert f"Sentinel's head: {this_sentinel}" in before.output
    assert "Upgrade needed:  yes: run `sentinel db upgrade`" in before.output

    upgraded = sentinel("db", "upgrade", "--store", store_url)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"upgraded from an empty store to {this_sentinel}." in upgraded.output

    again = sentinel("db", "upgrade", "--store", store_url)
    assert f"is at {this_sentinel}: nothing to upgrade." in again.output
    after = sentinel("db", "status", "--store", store_url)
    assert f"Revision:        {this_sentinel}\n" in after.output
    assert "Upgrade needed:  no" in after.output


def test_upgrade_prints_from_and_to(
    store_url: str, this_sentinel: str, newer_sentinel: str
) -> None:
    schema.upgrade(Store(store_url).engine, to=this_sentinel)
    status = sentinel("db", "status", "--store", store_url)
    assert "Upgrade needed:  yes: run `sentinel db upgrade`" in status.output
    upgraded = sentinel("db", "upgrade", "--store", store_url)
    assert upgraded.exit_code == 0, upgraded.output
    assert f"upgraded from {this_sentinel} to {newer_sentinel}." in upgraded.output


def test_the_store_of_the_config_directory(tmp_path: Path, this_sentinel: str) -> None:
    root = write_project(tmp_path / "shop")
    result = sentinel("db", "upgrade", "-C", str(root))
    assert result.exit_code == 0, result.output
    assert (root / ".sentinel" / "sentinel.db").exists()
    assert f"to {this_sentinel}." in result.output


def test_status_of_a_store_a_newer_sentinel_upgraded(
    store_url: str, newer_sentinel: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema.upgrade(Store(store_url).engine)
    from tests.migrations import as_this_sentinel

    as_this_sentinel(monkeypatch)
    status = sentinel("db", "status", "--store", store_url)
    assert status.exit_code == 0, status.output
    assert "newer than this Sentinel: upgrade Sentinel" in status.output
    refused = sentinel("db", "upgrade", "--store", store_url)
    assert refused.exit_code == 1
    assert "upgrade Sentinel" in refused.output
    assert "Traceback" not in refused.output


def test_the_daemon_refuses_an_old_store(
    aws: SessionFactory, tmp_path: Path, this_sentinel: str, newer_sentinel: str
) -> None:
    config_dir = write_config(tmp_path / "config")
    schema.upgrade(Store(store_url(None, config_dir)).engine, to=this_sentinel)
    result = sentinel("daemon", "--once", "deliveries", "-C", str(config_dir))
    assert result.exit_code == 1
    assert (
        f"store schema is at {this_sentinel}, this Sentinel needs {newer_sentinel}: "
        "run `sentinel db upgrade`"
    ) in result.output
    assert "Traceback" not in result.output


def test_the_router_refuses_an_old_store(
    aws: SessionFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    store_url: str,
    this_sentinel: str,
    newer_sentinel: str,
) -> None:
    root = write_project(tmp_path / "shop")
    monkeypatch.setenv("TEST_PD_KEY", "pd-key-never-shown")
    monkeypatch.setenv("TEST_SLACK_TOKEN", "xoxb-test-token-never-shown")
    schema.upgrade(Store(store_url).engine, to=this_sentinel)
    result = sentinel("route", "--drain", "-C", str(root), "--store", store_url)
    assert result.exit_code == 1
    assert "run `sentinel db upgrade`" in result.output
    assert "Traceback" not in result.output
