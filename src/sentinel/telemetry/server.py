"""``/metrics`` and ``/healthz`` over HTTP, on prometheus_client's WSGI app and server.

``/metrics`` is prometheus_client's own app (text format, gzip when asked, ``?name[]=`` filters);
``/healthz`` answers 200 with a small JSON document while the process is healthy, 503 with the
same document (saying why) when it is stuck or stopping. Served from a daemon thread, one thread
per request, so a slow scrape never holds up the router or the daemon.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer

from sentinel.errors import SentinelError
from sentinel.telemetry.health import Liveness

DEFAULT_HOST = "127.0.0.1"
Environ = dict[str, Any]
StartResponse = Callable[..., Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]


class TelemetryError(SentinelError):
    """The metrics endpoint cannot be served (port in use, address not on this host)."""


class _QuietHandler(WSGIRequestHandler):
    """No access log on stderr: a scrape every 15 s would drown the router's own lines."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def telemetry_app(registry: CollectorRegistry, liveness: Liveness) -> App:
    metrics = make_wsgi_app(registry)

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            health = liveness.health()
            body = json.dumps(health.as_json()).encode()
            status = "200 OK" if health.ok else "503 Service Unavailable"
            return _answer(start_response, status, body, "application/json")
        body = b"Not found: Sentinel serves /metrics and /healthz\n"
        return _answer(start_response, "404 Not Found", body, "text/plain; charset=utf-8")

    return app


def _answer(start_response: StartResponse, status: str, body: bytes, kind: str) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", kind), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")],
    )
    return [body]


def _server_class(host: str, port: int) -> type[WSGIServer]:
    """IPv4 or IPv6, whichever ``host`` is (``::`` binds every IPv6 address)."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]

    class Server(ThreadingWSGIServer):
        address_family = family

    return Server


class MetricsServer:
    """Serves one process's registry and liveness on ``host:port`` (port 0: any free port)."""

    def __init__(
        self,
        registry: CollectorRegistry,
        liveness: Liveness,
        host: str = DEFAULT_HOST,
        port: int = 0,
    ) -> None:
        self.registry = registry
        self.liveness = liveness
        self.host = host
        self.requested_port = port
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not started"
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> MetricsServer:
        where = f"{self.host}:{self.requested_port}"
        try:
            self._server = make_server(
                self.host,
                self.requested_port,
                telemetry_app(self.registry, self.liveness),
                server_class=_server_class(self.host, self.requested_port),
                handler_class=_QuietHandler,
            )
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise TelemetryError(
                f"--metrics-port {self.requested_port}: cannot listen on {where}: {reason}"
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="sentinel-metrics", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> MetricsServer:
        return self.start() if self._server is None else self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
