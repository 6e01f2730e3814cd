"""``sentinel validate`` and ``sentinel schema``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sentinel.cli.options import Workspace, common_options
from sentinel.config.kinds import file_kinds
from sentinel.config.schema import json_schema, write_schemas
from sentinel.errors import ConfigError
from sentinel.sync.preflight import check_config


@click.command()
@common_options
def validate(ws: Workspace) -> None:
    """Check every config file: all errors at once, as file:line:col.

    Every request apply would send is built and checked against the installed botocore
    models and AWS's documented limits. Exit 0 when valid, 1 when not. Nothing is read from
    or written to AWS. Settings that do nothing and files that are not read are printed as
    warnings (exit 0).
    """
    config = ws.load_config()
    for warning in config.warnings:
        click.echo(str(warning), err=True)
    problems = check_config(config, ws.region)
    if problems:
        raise ConfigError(problems)
    counts = [
        (len(config.alarms), "alarm rule", "alarm rules"),
        (len(config.composites), "composite alarm", "composite alarms"),
        (len(config.events), "event rule", "event rules"),
        (len(config.routing.severities) if config.routing else 0, "severity", "severities"),
        (len(config.dashboards), "dashboard", "dashboards"),
        (len(config.budgets), "budget", "budgets"),
        (len(config.tagging.required) if config.tagging else 0, "tag rule", "tag rules"),
        (len(config.slos), "SLO", "SLOs"),
    ]
    summary = ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts)
    ws.console.print(
        f"[green]✓[/] {ws.config_dir}: project [bold]{config.name}[/] is valid ({summary})"
    )


@click.command()
@click.argument("kinds", nargs=-1, type=click.Choice(sorted(file_kinds())))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one <kind>.json per file kind into this directory (relative to -C).",
)
@common_options
def schema(ws: Workspace, kinds: tuple[str, ...], out: Path | None) -> None:
    """Print the JSON Schema of config files, for editor completion.

    With no KINDS, every kind (project, routing, alarms, dashboards, budgets, monitors).
    With --out DIR, write them as files that yaml-language-server can point at.
    """
    if out is not None:
        for kind, path in write_schemas(ws.config_dir / out).items():
            click.echo(f"{path}  ({file_kinds()[kind].pattern})")
        return
    selected = kinds or tuple(file_kinds())
    if len(selected) == 1:
        click.echo(json.dumps(json_schema(selected[0]), indent=2))
    else:
        click.echo(json.dumps({kind: json_schema(kind) for kind in selected}, indent=2))
