"""Commands run as a user types them, on the test's emulated account and the shop project."""

from __future__ import annotations

from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import SentinelGroup
from sentinel.emulator.extensions import install
from sync.shop import PAGERDUTY_KEY


def share_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands build their factory on the test's boto3 Session (one Session per test)."""
    install()
    monkeypatch.setenv("SHOP_PAGERDUTY_KEY", PAGERDUTY_KEY)
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)


def invoke(commands: dict[str, click.Command], *args: str) -> Result:
    """``sentinel <args>`` with only ``commands``; the shop's secret never shows."""
    result = CliRunner().invoke(SentinelGroup(commands=commands), list(args))
    assert PAGERDUTY_KEY not in result.output
    return result
