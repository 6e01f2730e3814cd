"""Options every command accepts after its name, and the context they build."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from sentinel.aws.session import COST_EXPLORER, ApiCallCounter, SessionFactory

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Workspace:
    """What a command works with: the config directory and one way to AWS."""

    config_dir: Path
    profile: str | None
    region: str | None
    verbose: bool
    console: Console = field(default_factory=lambda: Console(highlight=False))
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))
    counter: ApiCallCounter = field(default_factory=ApiCallCounter)
    _factory: SessionFactory | None = None

    @property
    def factory(self) -> SessionFactory:
        if self._factory is None:
            self._factory = SessionFactory(
                profile=self.profile,
                region=self.region,
                endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None,
                counter=self.counter,
            )
        return self._factory

    def load_config(self):
        from sentinel.config import load_config

        return load_config(self.config_dir)

    def report_calls(self) -> None:
        """With --verbose, print AWS calls per service and operation (and Cost Explorer cost)."""
        if not self.verbose or not self.counter.rows():
            return
        table = Table(title="AWS API calls", title_justify="left")
        table.add_column("service")
        table.add_column("operation")
        table.add_column("calls", justify="right")
        for service, operation, n in self.counter.rows():
            table.add_row(service, operation, str(n))
        table.add_row("", "total", str(self.counter.total()), style="bold")
        self.err.print(table)
        ce = self.counter.total(COST_EXPLORER)
        if ce:
            self.err.print(f"Cost Explorer: {ce} request(s), ${self.counter.cost_explorer_usd:.2f}")


def common_options(func: F) -> F:
    """Add -C/--config-dir, --profile, --region and --verbose; pass a Workspace as ``ws``."""

    @click.option(
        "-C",
        "--config-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Directory holding sentinel.yaml, alarms/, dashboards/, budgets/, monitors/.",
    )
    @click.option("--profile", default=None, help="AWS profile (default: the credential chain).")
    @click.option("--region", default=None, help="AWS region (default: profile or sentinel.yaml).")
    @click.option(
        "-v", "--verbose", is_flag=True, help="Print the AWS API calls made, per operation."
    )
    @functools.wraps(func)
    def wrapper(
        config_dir: Path, profile: str | None, region: str | None, verbose: bool, **kwargs: Any
    ) -> Any:
        ws = Workspace(config_dir=config_dir, profile=profile, region=region, verbose=verbose)
        try:
            return func(ws=ws, **kwargs)
        finally:
            ws.report_calls()

    return wrapper  # type: ignore[return-value]
