"""Exit codes a CI script can trust: a usage error is never 2, and the table says the truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.cli.exit_codes import CHANGES, ERROR, EXIT_CODES, OK, USAGE_ERROR, markdown
from sentinel.emulator.extensions import install
from sync.shop import PAGERDUTY_KEY, shop_files, write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of the CLI, groups included, as the words to type."""
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(command_paths(command, (*prefix, name)))
    return found


def sentinel(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_usage_errors_exit_1() -> None:
    assert USAGE_ERROR == ERROR == 1


@pytest.mark.parametrize("path", command_paths(main), ids=" ".join)
def test_an_unknown_option_exits_1_in_every_command(path: tuple[str, ...]) -> None:
    result = sentinel(*path, "--no-such-option")

    assert result.exit_code == USAGE_ERROR, result.output
    assert "No such option '--no-such-option'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--no-such-option"], "No such option"),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["apply", "--concurrency", "0"], "Invalid value for '--concurrency'"),
        (["route", "--wait", "99"], "Invalid value for '--wait'"),
        (["schema", "alarm"], "'alarm' is not one of 'alarms'"),
        (["cost", "report", "--date", "yesterday"], "Invalid value for '--date'"),
        (["tags", "audit", "--format", "xml"], "Invalid value for '--format'"),
        (["daemon", "--once"], "Option '--once' requires an argument"),
        (["tags", "no-such-command"], "No such command 'no-such-command'"),
    ],
)
def test_bad_values_and_missing_arguments_exit_1(args: list[str], said: str) -> None:
    result = sentinel(*args)

    assert result.exit_code == USAGE_ERROR, result.output
    assert said in result.output
    assert "Traceback" not in result.output


def test_the_table_lists_every_command_and_only_those() -> None:
    commands = {
        " ".join(path)
        for path in command_paths(main)
        if not isinstance(_command(path), click.Group) or _runs_itself(path)
    }
    assert set(EXIT_CODES) == commands
    for codes in EXIT_CODES.values():
        assert set(codes) <= {OK, ERROR, CHANGES}
        assert OK in codes and ERROR in codes
    assert {c for c, codes in EXIT_CODES.items() if CHANGES in codes} == {
        "plan",
        "drift",
        "tags audit",
    }
    table = markdown().splitlines()
    assert table[0] == "| command | 0 | 1 | 2 |"
    assert len(table) == 2 + len(EXIT_CODES)
    assert any(line.startswith("| `sentinel tags audit` |") for line in table)


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = main
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def _runs_itself(path: tuple[str, ...]) -> bool:
    command = _command(path)
    return isinstance(command, click.Group) and command.invoke_without_command


@pytest.fixture
def shop(aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    install()
    monkeypatch.setenv("SHOP_PAGERDUTY_KEY", PAGERDUTY_KEY)
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)
    return write_config(tmp_path / "shop", shop_files())


def test_commands_exit_as_the_table_says(shop: Path) -> None:
    def code(*args: str) -> int:
        result = sentinel(*args, "-C", str(shop))
        assert "Traceback" not in result.output
        return result.exit_code

    assert "changes" in EXIT_CODES["plan"][CHANGES]
    assert code("plan", "--detailed-exitcode") == CHANGES
    assert code("plan") == OK
    assert code("drift") == CHANGES  # nothing applied yet: everything is missing
    assert code("apply", "--auto-approve") == OK
    assert code("plan", "--detailed-exitcode") == OK
    assert code("drift") == OK
    assert code("validate") == OK

    (shop / "alarms/shop.yaml").write_text("alarms: [{name: x}]\n")
    assert code("validate") == ERROR
    assert code("plan", "--detailed-exitcode") == ERROR  # an error is never "changes"
    assert code("plan", "--detailed-exitcode", "--region", "us-east-9") == ERROR
