"""``sentinel local``: prints where the emulator listens, serves, and stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import boto3


def test_local_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sentinel", "local", "--port", "0", "--no-seed"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C" in line:
                break
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        endpoint = exports["AWS_ENDPOINT_URL"]
        sts = boto3.client(
            "sts",
            endpoint_url=endpoint,
            region_name=exports["AWS_DEFAULT_REGION"],
            aws_access_key_id=exports["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=exports["AWS_SECRET_ACCESS_KEY"],
        )
        identity = sts.get_caller_identity()

        process.send_signal(signal.SIGTERM)
        returncode = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert lines[0] == f"# Sentinel local AWS emulator listening on {endpoint}"
    assert list(exports) == [
        "AWS_ENDPOINT_URL",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
    ]
    assert endpoint.startswith("http://127.0.0.1:")
    assert (exports["AWS_ACCESS_KEY_ID"], exports["AWS_DEFAULT_REGION"]) == ("testing", "us-east-1")
    assert identity["Account"] == "123456789012"
    assert returncode == 0
