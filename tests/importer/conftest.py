"""Fixtures of the import tests: moto extended by the emulator, commands on the test's Session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import SentinelGroup
from sentinel.cli.import_ import import_command
from sentinel.cli.sync import apply_command, plan_command
from sentinel.cli.validate import validate
from sentinel.emulator.estate import SECRETS
from sentinel.emulator.extensions import install

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def emulator_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    install()
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def run(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``run("import", "-C", dir, ...)``: the CLI on the test's boto3 Session."""
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)
    monkeypatch.setenv("COLUMNS", "200")  # one line per message, as the assertions read them
    group = SentinelGroup(
        commands={
            "import": import_command,
            "validate": validate,
            "plan": plan_command,
            "apply": apply_command,
        }
    )

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(group, list(args))

    return invoke
