"""``sentinel demo``."""

from __future__ import annotations

import click

from sentinel.cli.options import Workspace, common_options


@click.command()
@common_options
@click.option("--port", type=int, default=0, help="Emulator port (default: a free one).")
def demo(ws: Workspace, port: int) -> None:
    """Start the local emulator with the demo account and run the main job against it.

    -C chooses the configuration to demonstrate (default: the repository root, the P2P
    Sandbox). The demo always runs against its own emulator, never a real account.
    """
    from sentinel.emulator import require_local

    require_local("sentinel demo")
    from sentinel.demo.runner import run_demo

    if ws.profile or ws.region:
        ws.err.print(
            "note: the demo runs against its own emulator in us-east-1; "
            "--profile and --region are not used"
        )
    run_demo(ws.config_dir, port)
