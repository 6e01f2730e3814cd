"""The ``sentinel`` command line: parse arguments, call one library function, render."""

from __future__ import annotations

import sys
from collections.abc import MutableMapping
from importlib import import_module
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

    Each command's module is imported when the command is named, so that ``sentinel validate``
    loads what validating needs and not the router's database layer; listing the commands
    (``--help``, completion, ``commands``) imports every one.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._pending: list[str] = []  # "module:attribute" of commands not imported yet
        super().__init__(*args, **kwargs)

    @property
    def commands(self) -> MutableMapping[str, click.Command]:
        self._import(list(self._pending))
        return self._registered

    @commands.setter
    def commands(self, value: MutableMapping[str, click.Command]) -> None:
        self._registered = value

    def add_lazy_command(self, spec: str) -> None:
        """Register the command at ``spec`` ("module:attribute"), imported when it is named."""
        self._pending.append(spec)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._registered:
            self._import([spec for spec in self._pending if _named_after(spec, cmd_name)])
        if cmd_name not in self._registered:  # a command not named like its attribute
            self._import(list(self._pending))
        return self._registered.get(cmd_name)

    def _import(self, specs: list[str]) -> None:
        for spec in specs:
            module, attribute = spec.split(":")
            command: click.Command = getattr(import_module(module), attribute)
            self._pending.remove(spec)
            assert command.name is not None
            self._registered[command.name] = command

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


def _named_after(spec: str, name: str) -> bool:
    """Whether a command's attribute is named after it: plan_command, import_, iam_policy."""
    word = name.replace("-", "_")
    return spec.partition(":")[2] in (word, f"{word}_", f"{word}_command")


def _register() -> None:
    from sentinel.cli import commands

    assert isinstance(main, SentinelGroup)
    for spec in commands.ALL:
        main.add_lazy_command(spec)


_register()
