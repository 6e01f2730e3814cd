"""A local HTTP server standing in for Slack's Web API, for slack_sdk's ``base_url``.

It serves chat.postMessage and the three steps of files_upload_v2 (files.getUploadURLExternal,
the POST of the bytes to the returned upload URL, files.completeUploadExternal), records every
request it receives, and can be told to fail: with HTTP 429 (Retry-After), 5xx, or a Slack
error body, for the next N calls of a method.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


@dataclass
class Received:
    method: str  # "chat.postMessage", "files.getUploadURLExternal", "upload", ...
    params: dict[str, Any]
    body: bytes
    headers: dict[str, str]
    path: str = ""


@dataclass
class Failure:
    status: int
    error: str | None = None
    retry_after: str | None = None


@dataclass
class SlackStandIn:
    base_url: str = ""
    received: list[Received] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _ts: int = 0

    def fail(
        self,
        method: str,
        times: int,
        status: int = 500,
        error: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        with self._lock:
            self.failures.setdefault(method, []).extend(
                Failure(status, error, retry_after) for _ in range(times)
            )

    def calls(self, method: str) -> list[Received]:
        """Requests of ``method`` that Slack accepted (not the ones made to fail)."""
        return [r for r in self.received if r.method == method and not r.params.get("_failed")]

    def attempts(self, method: str) -> list[Received]:
        return [r for r in self.received if r.method == method]

    def posted(self) -> list[dict[str, Any]]:
        return [r.params for r in self.calls("chat.postMessage")]

    def next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"1700000000.{self._ts:06d}"

    def take_failure(self, method: str) -> Failure | None:
        with self._lock:
            queue = self.failures.get(method)
            return queue.pop(0) if queue else None


def _handler(standin: SlackStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            path = self.path.split("?", 1)[0]
            method = "upload" if path.startswith("/upload/") else path.rsplit("/", 1)[-1]
            params = (
                {} if method == "upload" else _params(self.headers.get("Content-Type", ""), body)
            )
            record = Received(method, params, body, dict(self.headers), path)
            standin.received.append(record)
            failure = standin.take_failure(method)
            if failure is not None:
                params["_failed"] = True
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                payload = {"ok": False, "error": failure.error or "internal_error"}
                self._reply(failure.status, payload, headers)
                return
            self._reply(200, self._answer(method, params))

        def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
            if method == "chat.postMessage":
                channel = params.get("channel", "")
                channel_id = "C0123456789" if channel.startswith("#") else channel
                return {
                    "ok": True,
                    "channel": channel_id,
                    "ts": standin.next_ts(),
                    "message": {"text": params.get("text", "")},
                }
            if method == "files.getUploadURLExternal":
                file_id = f"F{len(standin.received):08d}"
                return {
                    "ok": True,
                    "file_id": file_id,
                    "upload_url": f"{standin.base_url.rsplit('/api/', 1)[0]}/upload/{file_id}",
                }
            if method == "upload":
                return {"ok": True}
            if method == "files.completeUploadExternal":
                files = params.get("files")
                files = json.loads(files) if isinstance(files, str) else files
                return {
                    "ok": True,
                    "files": [{"id": f["id"], "title": f.get("title")} for f in files],
                }
            return {"ok": False, "error": "unknown_method"}

        def _reply(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    if "application/json" in content_type:
        return json.loads(body or b"{}")
    if "application/x-www-form-urlencoded" in content_type:
        return {k: v[0] for k, v in parse_qs(body.decode()).items()}
    return {}


@contextmanager
def slack_standin() -> Iterator[SlackStandIn]:
    standin = SlackStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(standin))
    standin.base_url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        server.server_close()
