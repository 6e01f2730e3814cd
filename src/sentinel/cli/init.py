"""``sentinel init``: a starter configuration from the account's resources."""

from __future__ import annotations

import click
from rich.table import Table
from rich.text import Text

from sentinel.cli.options import Workspace, common_options
from sentinel.inventory import Inventory
from sentinel.starter import write_starter


@click.command()
@click.option("--email", required=True, metavar="ADDRESS", help="Where both severities send.")
@click.option(
    "--project", default=None, metavar="NAME", help="Project name (default: the directory's)."
)
@click.option("--force", is_flag=True, help="Write into a non-empty directory.")
@common_options
def init(ws: Workspace, email: str, project: str | None, force: bool) -> None:
    """Write a starter configuration into -C DIR.

    sentinel.yaml, a critical and a warning severity sending email to ADDRESS, and for every
    resource type found in the account the alarms CloudWatch's guide recommends, as templates
    over the resources. Recommendations whose threshold depends on the workload are written as
    comments, with AWS's advice. Reads the inventory only; writes nothing to AWS. Refuses a
    non-empty directory unless --force.
    """
    region = ws.factory.region
    result = write_starter(
        ws.config_dir,
        email,
        Inventory(ws.factory, [region]),
        region,
        project=project,
        force=force,
    )
    table = Table(title=f"Recommended alarms in {region}", title_justify="left")
    for column in ("resource type", "resources", "rules", "alarms", "not written", "file"):
        table.add_column(column, justify="left" if column in ("resource type", "file") else "right")
    for written in result.alarm_files:
        table.add_row(
            Text(written.type),
            str(written.resources),
            str(written.rules),
            str(written.alarms),
            str(written.not_written),
            Text(str(written.path.relative_to(result.directory))),
        )
    table.add_row(
        "total",
        str(sum(f.resources for f in result.alarm_files)),
        str(result.rules),
        str(result.alarms),
        str(sum(f.not_written for f in result.alarm_files)),
        "",
        style="bold",
    )
    say = ws.console.print
    say(
        f"[green]✓[/] {result.directory}: project [bold]{result.project}[/], critical and "
        f"warning routed to {result.email}",
        soft_wrap=True,
    )
    for path in result.files:
        say(f"  wrote {path}", soft_wrap=True)
    if result.alarm_files:
        say(table)
    else:
        say(f"No resource with a recommended alarm found in {region}.", soft_wrap=True)
    say(
        "Next: sentinel validate, then sentinel plan (the rules not written are comments in "
        "their file, with AWS's advice for the threshold).",
        soft_wrap=True,
    )
