"""The ``sentinel`` command line: parse arguments, call one library function, render."""

from __future__ import annotations

import sys
from typing import Any

import click

from sentinel import __version__
from sentinel.aws.failures import AWS_FAILURES, describe
from sentinel.cli.exit_codes import USAGE_ERROR
from sentinel.errors import ConfigError, SentinelError


class SentinelGroup(click.Group):
    """Maps every failure to one line and an exit code: a user error never shows a traceback.

    SentinelError exits with its code; a botocore failure that no command handled (no
    credentials, access denied, an endpoint that does not answer, ...) exits 1 with the line
    ``sentinel.aws.failures`` writes for it; a usage error exits 1, never 2 (see exit_codes).
    """

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as exc:
            exc.exit_code = USAGE_ERROR  # type: ignore[misc]  # this error's code, not the class's
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            exc.exit_code = USAGE_ERROR  # type: ignore[misc]  # this error's code, not the class's
            raise
        except AWS_FAILURES as exc:
            click.echo(f"error: {describe(exc)}", err=True)
            sys.exit(1)
        except ConfigError as exc:
            for problem in [*exc.warnings, *exc.problems]:
                click.echo(str(problem), err=True)
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except SentinelError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(
    cls=SentinelGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
)
@click.version_option(__version__, "--version", prog_name="sentinel")
def main() -> None:
    """Monitoring-as-code and cost governance for AWS.

    Keep alarms, dashboards, routing, budgets and tagging rules in YAML; plan and apply them like
    code, and let the daemon report cost, anomalies, right-sizing and SLOs every day.
    """


def _register() -> None:
    from importlib import import_module

    from sentinel.cli import commands

    for spec in commands.ALL:
        module, attribute = spec.split(":")
        main.add_command(getattr(import_module(module), attribute))


_register()
