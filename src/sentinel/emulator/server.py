"""The emulator's server: moto's threaded server in this process, extended and seeded.

Clients reach it through ``AWS_ENDPOINT_URL``; ``EmulatorServer.env()`` gives the environment a
shell or subprocess needs to talk to it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from types import TracebackType

from moto.server import ThreadedMotoServer

from sentinel.emulator.demo.layout import REGION
from sentinel.emulator.demo.seed import SeedSummary, seed_demo_account
from sentinel.emulator.extensions import install
from sentinel.errors import SentinelError

HOST = "127.0.0.1"
ACCESS_KEY_ID = "testing"
SECRET_ACCESS_KEY = "testing"


class EmulatorServer:
    """A running emulator; stop it with ``stop()`` or by leaving its ``with`` block."""

    def __init__(self, server: ThreadedMotoServer, port: int) -> None:
        self._server = server
        self.port = port
        self.endpoint_url = f"http://{HOST}:{port}"
        self.summary: SeedSummary | None = None
        self._stopped = False

    def env(self) -> dict[str, str]:
        """Environment variables pointing AWS SDKs and the AWS CLI at the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": REGION,
        }

    def stop(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._server.stop()

    def __enter__(self) -> EmulatorServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def start_server(
    port: int = 0,
    seed: bool = True,
    progress: Callable[[str], None] | None = None,
    account_id: str | None = None,
) -> EmulatorServer:
    """Start the emulator on ``port`` (0: any free port) and seed the demo account into it.

    ``account_id`` makes every request (and so the seeded demo account) that account, as
    a configuration's ``accounts:`` expects; by default moto's 123456789012.
    """
    install()
    if account_id is not None:
        # moto reads it on every request; the server runs in this process.
        os.environ["MOTO_ACCOUNT_ID"] = account_id
    # werkzeug would log every request to stderr.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    _check_free(port)
    moto_server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    moto_server.start()
    server = EmulatorServer(moto_server, moto_server.get_host_and_port()[1])
    if seed:
        try:
            server.summary = seed_demo_account(endpoint_url=server.endpoint_url, progress=progress)
        except BaseException:
            server.stop()
            raise
    return server


def _check_free(port: int) -> None:
    # moto's server thread dies silently on a port in use and start() then waits forever.
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise SentinelError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from exc
