"""Local stand-ins for PagerDuty and Slack: try the router without either account.

Each is a threaded HTTP server on 127.0.0.1 that records what it receives and answers like the
real API. PagerDuty's clients insist on https, so its stand-in serves TLS with a certificate made
on the spot; point the router at both with ``endpoints()`` (or the ``SENTINEL_*`` variables from
``environment()``). Tests and the demo script failures (429 with Retry-After, an outage) through
``respond`` and ``available``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import itertools
import json
import ssl
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sentinel import clock
from sentinel.routing.endpoints import (
    CA_BUNDLE,
    PAGERDUTY_API_URL,
    PAGERDUTY_EVENTS_URL,
    SLACK_API_URL,
    ServiceEndpoints,
)


@dataclass(frozen=True)
class Scripted:
    """One scripted answer: a status, headers, and a body (JSON)."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]
    status: int = 0
    answer: Any = None


class _Server:
    """A recording HTTP(S) server; subclasses answer ``handle``."""

    def __init__(self, tls: Path | None = None) -> None:
        self.requests: list[Request] = []
        self.scripted: deque[Scripted] = deque()
        self.available: Callable[[], bool] = lambda: True
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: without this, Nagle's algorithm and the
            # client's delayed ACK hold every response back for 40 ms.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type", "")
                body: Any
                if "json" in content_type:
                    body = json.loads(raw or b"null")
                elif raw:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                else:
                    body = None
                url = urlsplit(self.path)
                request = Request(method, url.path, parse_qs(url.query), body, dict(self.headers))
                status, headers, payload = server._answer(request)
                request.status, request.answer = status, payload
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self._serve("POST")

            def do_GET(self) -> None:
                self._serve("GET")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls / "cert.pem", tls / "key.pem")
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def respond(self, *answers: Scripted) -> None:
        """Answer the next requests with these, in order, before answering normally again."""
        with self._lock:
            self.scripted.extend(answers)

    def _answer(self, request: Request) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            if not self.available():
                self.requests.append(request)
                return 503, {}, {"ok": False, "error": "service_unavailable"}
            if self.scripted:
                answer = self.scripted.popleft()
                self.requests.append(request)
                return answer.status, answer.headers, answer.body
            self.requests.append(request)
            return self.handle(request)

    def handle(self, request: Request) -> tuple[int, dict[str, str], Any]:
        """A path the stand-in does not serve answers as the real API would: not found."""
        return 404, {}, {"ok": False, "error": "unknown_method"}


class PagerDutyStandIn(_Server):
    """Events API v2 (``POST /v2/enqueue``) and the REST calls the router makes
    (``GET /oncalls``, ``GET /incidents``).

    Events open, acknowledge and resolve incidents by ``dedup_key`` as PagerDuty does: a trigger
    of an open incident is absorbed, one after a resolve opens a new incident. ``acknowledge``
    is a responder acknowledging in PagerDuty; keys put in ``acknowledged`` count as acknowledged
    whether or not an event opened them. ``GET /incidents`` filters by ``incident_key`` and
    ``statuses[]``.
    """

    def __init__(self, tls: Path) -> None:
        super().__init__(tls)
        self.oncalls: list[dict[str, Any]] = []
        self.acknowledged: set[str] = set()
        self.incidents: dict[str, dict[str, Any]] = {}  # by dedup_key / incident_key
        self._incident_ids = itertools.count(1)

    def acknowledge(self, dedup_key: str) -> None:
        """A responder acknowledges the open incident of ``dedup_key``."""
        incident = self.incidents[dedup_key]
        if incident["status"] != "resolved":
            incident["status"] = "acknowledged"

    def _event(self, event: dict[str, Any], key: str) -> None:
        action = event.get("event_action")
        incident = self.incidents.get(key)
        if action == "trigger":
            if incident is None or incident["status"] == "resolved":
                self.incidents[key] = {
                    "id": f"PINC{next(self._incident_ids)}",
                    "incident_key": key,
                    "status": "triggered",
                    "title": (event.get("payload") or {}).get("summary", ""),
                    "routing_key": event.get("routing_key"),
                }
        elif incident is not None and incident["status"] != "resolved":
            incident["status"] = "acknowledged" if action == "acknowledge" else "resolved"

    @property
    def events(self) -> list[dict[str, Any]]:
        """Events accepted (202), in arrival order."""
        return [r.body for r in self.requests if r.path == "/v2/enqueue" and r.status == 202]

    def handle(self, request: Request) -> tuple[int, dict[str, str], Any]:
        if request.method == "POST" and request.path == "/v2/enqueue":
            event = request.body or {}
            if not event.get("routing_key") or event.get("event_action") not in (
                "trigger",
                "resolve",
                "acknowledge",
            ):
                return 400, {}, {"status": "invalid event", "message": "Event object is invalid"}
            key = event.get("dedup_key") or f"generated-{len(self.requests)}"
            self._event(event, key)
            return 202, {}, {"status": "success", "message": "Event processed", "dedup_key": key}
        if request.method == "GET" and request.path == "/oncalls":
            return (
                200,
                {},
                {"oncalls": self.oncalls, "limit": 100, "offset": 0, "more": False, "total": None},
            )
        if request.method == "GET" and request.path == "/incidents":
            keys = request.query.get("incident_key", [])
            statuses = set(request.query.get("statuses[]", []))
            found = []
            for key in keys:
                incident = dict(self.incidents.get(key) or {"id": "PINC0", "incident_key": key})
                if key in self.acknowledged:
                    incident["status"] = "acknowledged"
                if "status" in incident and (not statuses or incident["status"] in statuses):
                    incident.pop("routing_key", None)
                    found.append(incident)
            return (
                200,
                {},
                {"incidents": found, "limit": 100, "offset": 0, "more": False, "total": None},
            )
        return 404, {}, {"error": {"message": "Not Found"}}


class SlackStandIn(_Server):
    """``chat.postMessage`` and ``chat.update``, with channel ids and message timestamps, and
    ``conversations.list``, ``conversations.history`` and ``conversations.replies`` of what was
    posted (metadata kept)."""

    def __init__(self) -> None:
        super().__init__(None)
        self._ts = itertools.count(1)
        self.channels: dict[str, str] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # by channel id, oldest first
        self._posted_at: dict[str, float] = {}  # ts -> when (ts themselves are fixed, for tests)

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Calls of ``method`` that Slack accepted (``ok: true``), in arrival order."""
        return [
            r.body
            for r in self.requests
            if r.path == f"/api/{method}" and r.status == 200 and (r.answer or {}).get("ok")
        ]

    def _channel(self, name: str) -> str:
        if name.startswith("C"):
            return name
        return self.channels.setdefault(name, f"C{len(self.channels) + 1:08d}")

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(body.get("channel")))
        ts = f"1700000000.{next(self._ts):06d}"
        message: dict[str, Any] = {"type": "message", "text": body.get("text"), "ts": ts}
        if body.get("thread_ts"):
            message["thread_ts"] = body["thread_ts"]
        if body.get("metadata"):
            message["metadata"] = body["metadata"]
        self.messages.setdefault(channel, []).append(message)
        self._posted_at[ts] = clock.now().timestamp()
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _listing(self, body: dict[str, Any], thread: str | None) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if channel not in self.messages and channel not in self.channels.values():
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(body.get("oldest") or 0)
        messages = [
            m
            for m in self.messages.get(channel, [])
            if self._posted_at[m["ts"]] >= oldest
            and (m.get("thread_ts", m["ts"]) == thread if thread else "thread_ts" not in m)
        ]
        if thread is None:
            messages.reverse()  # history is newest first, replies oldest first
        start = int(body.get("cursor") or 0)
        limit = int(body.get("limit") or 100)
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def handle(self, request: Request) -> tuple[int, dict[str, str], Any]:
        body = request.body or {}
        if request.headers.get("Authorization", "") in ("", "Bearer "):
            return 200, {}, {"ok": False, "error": "not_authed"}
        if request.path == "/api/chat.postMessage":
            return 200, {}, self._post(body)
        if request.path == "/api/chat.update":
            return 200, {}, {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if request.path == "/api/conversations.list":
            channels = [
                {"id": cid, "name": name.lstrip("#")} for name, cid in self.channels.items()
            ]
            return 200, {}, {"ok": True, "channels": channels, "response_metadata": {}}
        if request.path == "/api/conversations.history":
            return 200, {}, self._listing(body, None)
        if request.path == "/api/conversations.replies":
            return 200, {}, self._listing(body, str(body.get("ts")))
        return 200, {}, {"ok": False, "error": "unknown_method"}


def self_signed_certificate(directory: Path) -> Path:
    """A certificate for 127.0.0.1 and localhost; ``cert.pem`` is also the CA to trust."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sentinel stand-in")])
    now = clock.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=3650))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return directory / "cert.pem"


@dataclass
class StandIns:
    pagerduty: PagerDutyStandIn
    slack: SlackStandIn
    ca_bundle: Path

    def endpoints(self, email_from: str | None = None) -> ServiceEndpoints:
        return ServiceEndpoints(
            pagerduty_events=self.pagerduty.url,
            pagerduty_api=self.pagerduty.url,
            slack_api=self.slack.url + "/api/",
            ca_bundle=str(self.ca_bundle),
            email_from=email_from,
        )

    def environment(self) -> dict[str, str]:
        """The variables that point ``sentinel route`` (another process) at the stand-ins."""
        return {
            PAGERDUTY_EVENTS_URL: self.pagerduty.url,
            PAGERDUTY_API_URL: self.pagerduty.url,
            SLACK_API_URL: self.slack.url + "/api/",
            CA_BUNDLE: str(self.ca_bundle),
        }


@contextmanager
def stand_ins(directory: Path | None = None) -> Iterator[StandIns]:
    """Start both stand-ins; stop them on exit."""
    with tempfile.TemporaryDirectory(prefix="sentinel-standins-") as scratch:
        tls = directory or Path(scratch)
        ca = self_signed_certificate(tls)
        pagerduty, slack = PagerDutyStandIn(tls), SlackStandIn()
        pagerduty.start()
        slack.start()
        try:
            yield StandIns(pagerduty, slack, ca)
        finally:
            pagerduty.stop()
            slack.stop()
