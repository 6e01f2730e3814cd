"""``--metrics-port`` and ``--metrics-host`` of ``sentinel route`` and ``sentinel daemon``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from sentinel.cli.options import Workspace

if TYPE_CHECKING:
    from sentinel.config.loader import Config
    from sentinel.telemetry.process import Telemetry

F = TypeVar("F", bound=Callable[..., Any])
# Loopback unless told: the endpoint has no authentication, and a port open to every network the
# host is on should be asked for (--metrics-host 0.0.0.0 in a container scraped from outside).
DEFAULT_HOST = "127.0.0.1"


def metrics_options(func: F) -> F:
    func = click.option(
        "--metrics-host",
        default=DEFAULT_HOST,
        show_default=True,
        metavar="ADDRESS",
        help="Address --metrics-port listens on; 0.0.0.0 (or ::) for every interface.",
    )(func)
    return click.option(
        "--metrics-port",
        type=click.IntRange(0, 65535),
        default=0,
        metavar="PORT",
        help="Serve Prometheus /metrics and /healthz on this port (default 0: off).",
    )(func)


def refuse_with(flag: str, port: int) -> None:
    """--metrics-port is for the process that keeps running, not for a one-off run."""
    if port:
        raise click.UsageError(f"--metrics-port watches a running service: not with {flag}")


def start_telemetry(
    telemetry: Telemetry, ws: Workspace, config: Config, region: str, host: str, port: int
) -> None:
    """Serve the endpoint when asked, publish the heartbeat when ``self_monitoring:`` wants it."""
    from sentinel.telemetry.process import heartbeat_wanted

    if port:
        server = telemetry.serve(port, host)
        ws.err.print(f"Metrics on {server.url}/metrics, health on {server.url}/healthz")
    if heartbeat_wanted(config, telemetry.component):
        # Every region the heartbeat alarm may be applied in: the project's, and this run's.
        regions = list(dict.fromkeys([region, *config.project.regions]))
        clients = [ws.factory.client("cloudwatch", region=name) for name in regions]
        telemetry.publish(clients, config.name)
        ws.err.print(
            f"Heartbeat to CloudWatch Sentinel/Heartbeat (Project={config.name}, "
            f"Component={telemetry.component}) in {', '.join(regions)} every minute"
        )
