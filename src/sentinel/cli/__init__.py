"""The ``sentinel`` command line: parse arguments, call one library function, render."""

from __future__ import annotations

import sys

import click

from sentinel import __version__
from sentinel.errors import ConfigError, SentinelError


class SentinelGroup(click.Group):
    """Maps SentinelError to a message and exit code: a user error never shows a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
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
