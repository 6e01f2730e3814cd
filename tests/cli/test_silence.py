"""``sentinel silence add|list|expire``: what it prints, stores, warns about and refuses."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner, Result
from tests.routing.scenario import write_project

from sentinel.cli import main

NOW = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)


def sentinel(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_project(tmp_path / "shop")


def listed(*args: str) -> list[dict[str, object]]:
    result = sentinel("silence", "list", "--json", *args)
    assert result.exit_code == 0, result.output
    silences: list[dict[str, object]] = json.loads(result.stdout)
    return silences


def test_add_list_and_expire_in_the_store_of_the_config_directory(root: Path) -> None:
    here = ("-C", str(root))
    with time_machine.travel(NOW, tick=False) as clock:
        added = sentinel(
            "silence", "add", *here, "--alarm", "db-*", "--for", "2h", "--reason", "rebuild",
            "--by", "ana",
        )  # fmt: skip
        assert added.exit_code == 0, added.output
        assert (
            added.stdout == "Silence 1 added: db-* until 2026-03-04 17:00 UTC (by ana: rebuild)\n"
        )
        assert added.stderr == ""  # db-* names db-replica-lag: no warning
        assert (root / ".sentinel" / "sentinel.db").exists()
        table = sentinel("silence", "list", *here)
        assert table.exit_code == 0, table.output
        assert "Silences at 2026-03-04 15:00 UTC" in table.stdout
        row = "│ 1  │ db-*  │ 03-04 15:00 │ 03-04 17:00 │ ana │ rebuild │          0 │"
        assert row in table.stdout
        clock.shift(timedelta(minutes=30))
        expired = sentinel("silence", "expire", *here, "1")
        assert expired.exit_code == 0, expired.output
        assert expired.stdout == (
            "Silence 1 expired at 2026-03-04 15:30 UTC (db-*); 0 held alarm(s) released to the "
            "router.\n"
        )
        assert listed(*here) == []
        assert sentinel("silence", "list", *here).stdout == "No active silences.\n"
        [ended] = listed("--all", *here)
        assert ended == {
            "id": 1,
            "alarm": "db-*",
            "status": "expired",
            "start": "2026-03-04T15:00:00+00:00",
            "end": "2026-03-04T15:30:00+00:00",
            "by": "ana",
            "reason": "rebuild",
            "suppressed": 0,
        }
        again = sentinel("silence", "expire", *here, "1")
        assert again.exit_code == 0
        assert again.stdout == "Silence 1 had already ended at 2026-03-04 15:30 UTC.\n"


def test_a_silence_that_ends_by_itself_is_listed_as_ended(root: Path) -> None:
    here = ("-C", str(root))
    with time_machine.travel(NOW, tick=False) as clock:
        until = "2026-03-04T12:00"  # New York, the shop's timezone: 17:00 UTC
        result = sentinel(
            "silence", "add", *here, "--alarm", "*", "--until", until, "--reason", "x"
        )
        assert result.exit_code == 0, result.output
        assert "until 2026-03-04 17:00 UTC" in result.stdout
        clock.move_to(datetime(2026, 3, 4, 16, 59, tzinfo=UTC))
        assert [s["status"] for s in listed(*here)] == ["active"]
        clock.move_to(datetime(2026, 3, 4, 17, 0, tzinfo=UTC))
        assert listed(*here) == []
        assert [s["status"] for s in listed("--all", *here)] == ["ended"]


def test_user_is_the_default_author(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "bo")
    with time_machine.travel(NOW, tick=False):
        sentinel("silence", "add", "-C", str(root), "--alarm", "*", "--for", "1h", "--reason", "x")
        assert [s["by"] for s in listed("-C", str(root))] == ["bo"]


def test_every_problem_at_once_and_nothing_stored(root: Path) -> None:
    here = ("-C", str(root))
    with time_machine.travel(NOW, tick=False):
        result = sentinel("silence", "add", *here, "--alarm", " ", "--reason", "")
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            "error: --alarm: the pattern is empty",
            "error: --reason: say why the alarms are silenced",
            "error: a silence needs an end: give --for DURATION or --until TIME",
            "error: silence not added (3 problem(s))",
        ]
        assert listed("--all", *here) == []


def test_a_bad_duration_and_an_empty_reason_are_reported_together(root: Path) -> None:
    here = ("-C", str(root))
    with time_machine.travel(NOW, tick=False):
        result = sentinel("silence", "add", *here, "--alarm", "*", "--for", "soon", "--reason", "")
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            "error: --for: invalid duration 'soon': expected a whole number with unit s, m, h, d "
            "or w, like 5m",
            "error: --reason: say why the alarms are silenced",
            "error: silence not added (2 problem(s))",
        ]
        assert listed("--all", *here) == []


@pytest.mark.parametrize(
    ("end", "problem"),
    [
        (("--for", "31d"), "the silence would last 31d, at most 30d"),
        (("--for", "2 hours"), "--for: invalid duration '2 hours'"),
        (("--for", "0m"), "--for: invalid duration '0m': must be positive"),
        (
            ("--until", "2026-03-04T09:59"),  # 14:59 UTC
            "the end 2026-03-04 14:59:00 UTC is not after now (2026-03-04 15:00:00 UTC)",
        ),
        (("--until", "tomorrow"), "--until 'tomorrow': expected an ISO time"),
        (("--for", "1h", "--until", "2026-03-05T00:00"), "give --for or --until, not both"),
    ],
)
def test_an_end_that_is_missing_past_too_far_or_unreadable_is_refused(
    root: Path, end: tuple[str, ...], problem: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        result = sentinel(
            "silence", "add", "-C", str(root), "--alarm", "db-*", *end, "--reason", "x"
        )
        assert result.exit_code == 1
        assert f"error: {problem}" in result.stderr
        assert listed("--all", "-C", str(root)) == []


def test_a_pattern_that_matches_no_configured_alarm_warns_and_is_added(root: Path) -> None:
    with time_machine.travel(NOW, tick=False):
        result = sentinel(
            "silence", "add", "-C", str(root), "--alarm", "db-replcia-*", "--for", "1h",
            "--reason", "x",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert result.stderr == (
            "warning: --alarm 'db-replcia-*' matches no alarm of shop's configuration; silenced "
            "anyway (it may name alarms made elsewhere)\n"
        )
        assert result.stdout.startswith("Silence 1 added: db-replcia-*")
        # AWS names match too: shop-<rule>.
        aws = sentinel(
            "silence", "add", "-C", str(root), "--alarm", "shop-db-*", "--for", "1h",
            "--reason", "x",
        )  # fmt: skip
        assert aws.exit_code == 0 and aws.stderr == ""


def test_without_a_configuration_the_store_option_is_needed_and_nothing_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SENTINEL_STORE", raising=False)
    empty = tmp_path / "empty"
    empty.mkdir()
    here = ("-C", str(empty))
    with time_machine.travel(NOW, tick=False):
        refused = sentinel("silence", "list", *here)
        assert refused.exit_code == 1
        assert "error: no store: give --store, set $SENTINEL_STORE" in refused.stderr
        store = ("--store", f"sqlite:///{tmp_path / 'router.db'}")
        added = sentinel(
            "silence", "add", *here, *store, "--alarm", "anything", "--for", "1h", "--reason", "x"
        )
        assert added.exit_code == 0 and added.stderr == ""
        monkeypatch.setenv("SENTINEL_STORE", f"sqlite:///{tmp_path / 'router.db'}")
        assert [s["alarm"] for s in listed(*here)] == ["anything"]


def test_expire_of_an_unknown_silence(root: Path) -> None:
    result = sentinel("silence", "expire", "-C", str(root), "7")
    assert result.exit_code == 1
    assert result.stderr == "error: no silence 7: `sentinel silence list --all` lists them\n"
