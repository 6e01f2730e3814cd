"""``sentinel demo``."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "-C",
    "--config-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The configuration to demonstrate (the repository root is the P2P Sandbox).",
)
@click.option("--port", type=int, default=0, help="Emulator port (default: a free one).")
def demo(config_dir: Path, port: int) -> None:
    """Start the local emulator with the demo account and run the main job against it."""
    from sentinel.demo.runner import run_demo

    run_demo(config_dir, port)
