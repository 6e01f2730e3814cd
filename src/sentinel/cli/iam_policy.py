"""``sentinel iam-policy``: the IAM policy for what Sentinel calls, per flow."""

from __future__ import annotations

import json

import click

from sentinel.aws.iam_policy import FLOWS, policy, scope_of
from sentinel.cli.options import Workspace, common_options


@click.command("iam-policy")
@common_options
@click.option(
    "--for",
    "flow",
    type=click.Choice(FLOWS),
    default=None,
    help="Only what one flow calls (default: every flow).",
)
def iam_policy(ws: Workspace, flow: str | None) -> None:
    """Print the IAM policy (JSON) allowing the AWS calls Sentinel makes. Calls nothing.

    Derived from the calls each managed kind, the inventory, each daemon job and the router
    declare; writes are scoped to the project's resources, secrets to those the config names.
    """
    config = ws.load_config()
    document = policy(flow, config, scope_of(config, ws.region))
    click.echo(json.dumps(document, indent=2))
