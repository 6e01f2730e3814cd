"""AWS failures through the real CLI: one line, exit 1, never a traceback, in every command."""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from click.testing import CliRunner, Result
from moto import mock_aws
from moto.ce.responses import CostExplorerResponse
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import JsonRESTError

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.emulator.extensions import install
from sync.shop import PAGERDUTY_KEY, shop_files, write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

REPOSITORY = Path(__file__).resolve().parents[2]
# Commands that call AWS, as a user types them after `sentinel` (-C is added).
AWS_COMMANDS = [
    ["plan"],
    ["apply", "--auto-approve"],
    ["drift"],
    ["inventory"],
    ["tags", "audit"],
    ["cost", "report", "--dry-run"],
    ["cost", "anomalies"],
    ["slo", "status"],
    ["rightsize"],
    ["route", "--drain"],
    ["daemon", "--once", "cost-report"],
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The repository's own configuration (SLOs, routing, ...), copied: runs write a store."""
    root = tmp_path / "p2p"
    root.mkdir()
    shutil.copy(REPOSITORY / "sentinel.yaml", root)
    for folder in ("alarms", "dashboards", "budgets", "monitors"):
        shutil.copytree(REPOSITORY / folder, root / folder)
    monkeypatch.setenv("P2P_PAGERDUTY_KEY", "pd-stand-in")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-stand-in")
    return root


@pytest.fixture
def closed_port() -> str:
    """An endpoint nobody listens on: bound, then closed, so connecting is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def sentinel(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_one_line_error(result: Result, *expected: str) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.output
    for text in expected:
        assert text in errors[0], errors[0]
    return errors[0]


@pytest.mark.parametrize("command", AWS_COMMANDS, ids=lambda c: " ".join(c))
def test_an_endpoint_that_does_not_answer_is_one_line(
    command: list[str], project: Path, closed_port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")

    result = sentinel(*command, "-C", str(project))

    if command[0] == "daemon":  # the job is recorded as failed, with the same line
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        said = " ".join(result.output.split())
        assert "cost-report (" in said and "failed: AWS did not answer" in said
        assert closed_port in said
        return
    assert_one_line_error(result, "AWS did not answer", closed_port, "could not connect")


def test_the_default_retries_give_up_on_a_dead_endpoint_in_seconds(
    project: Path, closed_port: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port)
    started = time.monotonic()

    result = sentinel("plan", "-C", str(project))

    line = assert_one_line_error(result, "sts:GetCallerIdentity in us-east-1", "after 6 attempts")
    assert closed_port in line
    assert time.monotonic() - started < 30


@pytest.fixture
def no_credentials(tmp_path: Path, closed_port: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "empty-aws-config"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Should a credential appear after all, nothing leaves the machine.
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port)


@pytest.mark.usefixtures("no_credentials")
@pytest.mark.parametrize("command", AWS_COMMANDS, ids=lambda c: " ".join(c))
def test_no_credentials_is_one_line(command: list[str], project: Path) -> None:
    result = sentinel(*command, "-C", str(project))

    if command[0] == "daemon":  # the job is recorded as failed, with the same line
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert "failed: no AWS credentials" in " ".join(result.output.split())
        return
    assert_one_line_error(result, "no AWS credentials", "--profile", "AWS_ACCESS_KEY_ID")


# Errors as AWS answers them (query protocol, as STS, SNS and CloudWatch's Query API speak it).
def _query_error(code: str, message: str, status: int = 403) -> Callable[..., AWSResponse]:
    body = (
        "<ErrorResponse><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>4a8e0f2c-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
    ).encode()

    def answer(request: Any, **_: Any) -> AWSResponse:
        raw = _Raw(body)
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, raw)

    return answer


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOP_PAGERDUTY_KEY", PAGERDUTY_KEY)
    return write_config(tmp_path / "shop", shop_files())


@pytest.fixture
def answered_by(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str, Any], None]]:
    """Commands build their factory on one session whose STS calls get a canned answer."""
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")

        def factory(**options: Any) -> SessionFactory:
            return SessionFactory(
                session=session, region=options.get("region"), counter=options.get("counter")
            )

        monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)

        def answer(event: str, handler: Any) -> None:
            session.events.register(event, handler)

        yield answer


INVALID = "The security token included in the request is invalid."


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("ExpiredToken", "The security token included in the request is expired", "expired"),
        ("InvalidClientTokenId", INVALID, "not valid"),
        ("UnrecognizedClientException", INVALID, "not valid"),
        ("SignatureDoesNotMatch", "The signature does not match", "secret access key does not"),
    ],
)
@pytest.mark.parametrize("command", [["plan"], ["drift"], ["apply", "--auto-approve"]])
def test_bad_or_expired_credentials_are_one_line(
    code: str,
    message: str,
    expected: str,
    command: list[str],
    shop: Path,
    answered_by: Callable[[str, Any], None],
) -> None:
    answered_by("before-send.sts", _query_error(code, message))

    result = sentinel(*command, "-C", str(shop))

    assert_one_line_error(result, expected, code, "sts:GetCallerIdentity")


def test_an_opt_in_region_that_is_not_enabled_says_so(
    shop: Path, answered_by: Callable[[str, Any], None]
) -> None:
    answered_by("before-send.sts", _query_error("InvalidClientTokenId", INVALID))

    result = sentinel("plan", "-C", str(shop), "--region", "af-south-1")

    assert_one_line_error(result, "region af-south-1 is not enabled for this account")


def test_an_unknown_region_fails_before_any_call(shop: Path, aws: SessionFactory) -> None:
    result = sentinel("plan", "-C", str(shop), "--region", "eu-wset-1")

    assert_one_line_error(result, "unknown AWS region 'eu-wset-1'", "did you mean 'eu-west-1'?")


@pytest.mark.real_clock
def test_throttling_that_outlasts_the_retries_is_one_line(
    shop: Path, answered_by: Callable[[str, Any], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    sent: list[str] = []

    def throttled(request: Any, **kwargs: Any) -> AWSResponse:
        sent.append(request.url)
        return _query_error("Throttling", "Rate exceeded", status=400)(request, **kwargs)

    answered_by("before-send.sts", throttled)

    result = sentinel("plan", "-C", str(shop))

    assert_one_line_error(
        result, "AWS kept throttling sts:GetCallerIdentity", "after 3 attempts", "Throttling"
    )
    assert len(sent) == 3  # botocore retried, then gave up


def _user_allowed_all_but(action: str) -> tuple[str, str]:
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="ci")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": action, "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="ci", PolicyName="ci", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="ci")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.mark.parametrize(
    ("command", "denied"),
    [
        (["plan"], "sns:ListTopics"),
        (["drift"], "sns:ListTopics"),
        (["apply", "--auto-approve"], "sns:CreateTopic"),
    ],
)
def test_access_denied_names_the_missing_iam_action(
    command: list[str], denied: str, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install()
    with mock_aws():
        key_id, secret = _user_allowed_all_but(denied)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
        # moto checks every request against the user's IAM policy from here on.
        checked = ActionAuthenticatorMixin.set_initial_no_auth_action_count(0)
        result = checked(sentinel)(*command, "-C", str(shop))

    if command[0] == "apply":  # a write: apply names each resource it could not write
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        said = " ".join(result.output.split())
        assert "✗ create topic shop-critical failed: access denied:" in said
        assert f"may not call {denied} in us-east-1 (AccessDenied)" in said
        assert f"allow the IAM action {denied} in its policy" in said
        return
    assert_one_line_error(
        result,
        "access denied: arn:aws:iam::123456789012:user/ci",
        f"may not call {denied} in us-east-1",
        f"allow the IAM action {denied} in its policy",
    )


def test_a_refused_cost_query_names_the_iam_action_in_the_report(
    project: Path, aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    install()
    session = aws.session()
    monkeypatch.setattr(
        "sentinel.cli.options.SessionFactory",
        lambda **options: SessionFactory(session=session, region=options.get("region")),
    )

    def refused(self: CostExplorerResponse) -> str:
        raise JsonRESTError("AccessDeniedException", "not allowed")

    monkeypatch.setattr(CostExplorerResponse, "get_cost_and_usage", refused)

    result = sentinel("cost", "report", "--dry-run", "-C", str(project))

    assert "Traceback" not in result.output
    said = " ".join(result.output.split())
    assert "may not call ce:GetCostAndUsage" in said, said
    assert "allow the IAM action ce:GetCostAndUsage" in said
