"""The script a canary runs: plain HTTP requests from the Python runtime, zipped as Synthetics
takes it (``python/<module>.py``, handler ``<module>.handler``).

The script uses only the standard library, so it runs on every Python runtime version; a
request that answers another status code than expected (or no answer) raises, and Synthetics
counts the run as failed, which is what SuccessPercent measures.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sentinel.config.models.uptime import UptimeCheck

MODULE = "sentinel_canary"
HANDLER = f"{MODULE}.handler"
# A fixed time inside the archive: the same script always zips to the same bytes.
_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
RUNTIMES_FILE = "canary_runtimes.yaml"

_SCRIPT = '''\
"""Written by Sentinel: fails the run when a request does not answer as expected."""

import json
import urllib.error
import urllib.request

REQUESTS = json.loads({requests!r})


def _status(request):
    body = request["body"].encode() if request["body"] is not None else None
    call = urllib.request.Request(request["url"], data=body, method=request["method"])
    try:
        with urllib.request.urlopen(call, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def handler(event, context):
    for request in REQUESTS:
        status = _status(request)
        if status != request["expect"]:
            raise Exception(
                f"{{request['method']}} {{request['url']}} answered {{status}}, "
                f"expected {{request['expect']}}"
            )
    return "ok"
'''


@cache
def canary_runtimes() -> tuple[str, ...]:
    text = resources.files("sentinel").joinpath("data", RUNTIMES_FILE).read_text(encoding="utf-8")
    return tuple(yaml.safe_load(text))


def runtime_version() -> str:
    return canary_runtimes()[0]


def canary_requests(check: UptimeCheck) -> list[dict[str, Any]]:
    if isinstance(check.canary, str):
        return [{"method": "GET", "url": check.canary, "body": None, "expect": 200}]
    assert check.canary is not None
    return [
        {"method": r.method, "url": r.url, "body": r.body, "expect": r.expect}
        for r in check.canary.requests
    ]


def canary_script(check: UptimeCheck) -> str:
    return _SCRIPT.format(requests=json.dumps(canary_requests(check), sort_keys=True))


def canary_zip(script: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"python/{MODULE}.py", date_time=_ZIP_TIME)
        info.external_attr = 0o644 << 16
        archive.writestr(info, script)
    return buffer.getvalue()


def script_digest(script: str) -> str:
    """What a canary's tag keeps of its script: AWS never hands the code back."""
    return hashlib.sha256(script.encode()).hexdigest()[:32]
