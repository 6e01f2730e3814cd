"""``sentinel local``: run the local AWS emulator with the seeded demo account until stopped."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType

import click

from sentinel.cli.options import Workspace, common_options

DEFAULT_PORT = 5000


@click.command("local")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--no-seed", is_flag=True, help="Start with an empty account.")
@common_options
def local(ws: Workspace, port: int, no_seed: bool) -> None:
    """Run the local AWS emulator (seeded with the P2P Sandbox demo account) until Ctrl-C.

    Point any shell at it with the export lines it prints; every sentinel command then works
    against the emulator instead of AWS.
    """
    from sentinel.emulator import require_local

    require_local("sentinel local")
    from sentinel.emulator.server import start_server

    with ws.err.status("Starting the local AWS emulator") as status:
        server = start_server(port=port, seed=not no_seed, progress=status.update)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with server:
            summary = server.summary
            if summary is not None:
                ws.err.print(
                    f"Seeded the demo account {summary.account_id} in {summary.seconds:.1f}s: "
                    f"{summary.resource_count} resources, {summary.metric_series} metric series "
                    f"({summary.metric_datapoints:,} datapoints), "
                    f"{summary.cost_records:,} daily cost records."
                )
            click.echo(f"# Sentinel local AWS emulator listening on {server.endpoint_url}")
            for name, value in server.env().items():
                click.echo(f"export {name}={value}")
            click.echo("# Press Ctrl-C to stop.")
            sys.stdout.flush()
            while not stop.wait(0.5):
                pass
            ws.err.print("Stopping the emulator.")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
