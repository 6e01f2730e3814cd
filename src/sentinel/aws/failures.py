"""Botocore failures as one line a user can act on, for every command alike.

``watch`` hooks a boto3 session's events so that every failed call carries the IAM action it
needed (``cloudwatch:DescribeAlarms``, not the signing name ``monitoring``), its region and its
attempts; ``describe`` turns any botocore exception into one line; the CLI prints it and exits 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import botocore.exceptions
import yaml

from sentinel.aws.regions import is_opt_in
from sentinel.errors import AwsError

IAM_PREFIX_FILE = "iam_prefixes.yaml"
# What botocore raises or answers when a call cannot succeed; both are caught as one.
AWS_FAILURES: tuple[type[Exception], ...] = (
    botocore.exceptions.BotoCoreError,
    botocore.exceptions.ClientError,
)

_NO_CREDENTIALS = (
    botocore.exceptions.NoCredentialsError,
    botocore.exceptions.PartialCredentialsError,
)
_CREDENTIAL_SOURCE = (
    botocore.exceptions.CredentialRetrievalError,
    botocore.exceptions.TokenRetrievalError,
    botocore.exceptions.NoAuthTokenError,
    botocore.exceptions.SSOError,
)
_UNREACHABLE = (
    botocore.exceptions.ConnectionError,  # EndpointConnectionError, ConnectTimeoutError, proxy
    botocore.exceptions.HTTPClientError,  # ReadTimeoutError, ConnectionClosedError
)
_EXPIRED = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
)
_INVALID_TOKEN = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId", "AuthFailure"}
)
_BAD_SIGNATURE = frozenset({"SignatureDoesNotMatch", "IncompleteSignature"})
_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",  # EC2
        "AuthorizationError",  # SNS
        "AuthorizationErrorException",
        "UnauthorizedException",
    }
)
# botocore's own list (retries/standard.py), which its retry modes back off on.
_THROTTLED = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)
# Real AWS names the action in its AccessDenied message; that wins over the derived one.
_ACTION_IN_MESSAGE = re.compile(r"perform: ([a-z0-9-]+:[A-Za-z0-9]+)")
_PRINCIPAL_IN_MESSAGE = re.compile(r"User: (arn:\S+)")
# Where a failed call's details travel: in the error response, or on the exception.
_CONTEXT_KEY = "sentinel_call"


@dataclass(frozen=True)
class Call:
    """One AWS call: the IAM action it needs, where it went, how often it was tried."""

    action: str
    region: str | None = None
    attempts: int | None = None

    @property
    def where(self) -> str:
        return f"{self.action} in {self.region}" if self.region else self.action


@cache
def _iam_prefixes() -> dict[str, str]:
    text = resources.files("sentinel").joinpath("data", IAM_PREFIX_FILE).read_text("utf-8")
    return dict(yaml.safe_load(text))


def iam_action(service_model: Any, operation: str) -> str:
    """``cloudwatch:DescribeAlarms`` for botocore's CloudWatch model and ``DescribeAlarms``."""
    metadata = service_model.metadata
    name = metadata.get("signingName") or metadata["endpointPrefix"]
    prefixes = _iam_prefixes()
    prefix = prefixes.get(name) or prefixes.get(metadata["endpointPrefix"]) or name
    return f"{prefix}:{operation}"


def watch(events: Any) -> None:
    """Mark every failed call made through ``events`` (a session's or a client's) with a Call."""
    events.register("before-call", _before_call, unique_id="sentinel-failures-before")
    events.register("after-call", _after_call, unique_id="sentinel-failures-after")
    events.register("after-call-error", _after_error, unique_id="sentinel-failures-error")


def _before_call(model: Any, context: dict[str, Any], **_: Any) -> None:
    context[_CONTEXT_KEY] = Call(
        iam_action(model.service_model, model.name), context.get("client_region")
    )


def _after_call(
    parsed: dict[str, Any], http_response: Any, context: dict[str, Any], **_: Any
) -> None:
    call = context.get(_CONTEXT_KEY)
    if call is None or http_response.status_code < 300:
        return
    metadata = parsed.setdefault("ResponseMetadata", {})
    metadata["IamAction"], metadata["Region"] = call.action, call.region


def _after_error(exception: Exception, context: dict[str, Any], **_: Any) -> None:
    call = context.get(_CONTEXT_KEY)
    if call is None:
        return
    attempts = context.get("retries", {}).get("attempt")
    exception.sentinel_call = Call(call.action, call.region, attempts)  # type: ignore[attr-defined]


def call_of(exc: BaseException) -> Call | None:
    """The call ``exc`` came from, when it came from a watched session."""
    if isinstance(exc, botocore.exceptions.ClientError):
        metadata = exc.response.get("ResponseMetadata", {})
        if "IamAction" not in metadata:
            return None
        retries = metadata.get("RetryAttempts")
        return Call(
            metadata["IamAction"],
            metadata.get("Region"),
            retries + 1 if isinstance(retries, int) else None,
        )
    call = getattr(exc, "sentinel_call", None)
    return call if isinstance(call, Call) else None


def describe(exc: BaseException, name_call: bool = True) -> str:
    """One line saying what failed and what to do about it; never a traceback.

    ``name_call=False`` leaves the call out of an error that needs no advice (a rejected
    parameter), for a caller that already says which resource it was writing.
    """
    call = call_of(exc)
    if isinstance(exc, botocore.exceptions.ClientError):
        return _describe_response(exc, call, name_call)
    return _describe_botocore(exc, call)


def is_fatal(exc: BaseException) -> bool:
    """Whether no later call of this run can succeed either: credentials, access, network.

    A report that tolerates a missing figure (a throttled query, a service error) must still
    stop on these, rather than print a page of "n/a" and exit 0.
    """
    if isinstance(exc, botocore.exceptions.ClientError):
        code = str(exc.response.get("Error", {}).get("Code") or "")
        return code in _EXPIRED | _INVALID_TOKEN | _BAD_SIGNATURE | _DENIED
    return isinstance(exc, _NO_CREDENTIALS + _CREDENTIAL_SOURCE + _UNREACHABLE)


def is_access_denied(exc: BaseException) -> bool:
    if not isinstance(exc, botocore.exceptions.ClientError):
        return False
    return str(exc.response.get("Error", {}).get("Code") or "") in _DENIED


def translate(exc: BaseException) -> AwsError:
    """``exc`` as an AwsError with ``describe``'s message."""
    error = AwsError(describe(exc))
    error.__cause__ = exc
    return error


def _describe_response(
    exc: botocore.exceptions.ClientError, call: Call | None, name_call: bool
) -> str:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "Error")
    message = str(error.get("Message") or "").strip()
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    action = call.action if call else exc.operation_name
    where = call.where if call else exc.operation_name
    region = call.region if call else None
    if code in _EXPIRED:
        return (
            f"the AWS credentials have expired ({code} on {where}): refresh them "
            "(`aws sso login`, or new session credentials) and run again"
        )
    if code in _INVALID_TOKEN:
        if region and is_opt_in(region):
            return (
                f"region {region} is not enabled for this account ({code} on {action}): "
                "enable it in the account's AWS Regions settings, or use another region"
            )
        return (
            f"the AWS credentials are not valid ({code} on {where}): AWS does not know this "
            "access key or session token; check the profile or AWS_ACCESS_KEY_ID"
        )
    if code in _BAD_SIGNATURE:
        return (
            f"the AWS secret access key does not match the access key ({code} on {where}): "
            "check the profile or AWS_SECRET_ACCESS_KEY"
        )
    if code in _DENIED:
        named = _ACTION_IN_MESSAGE.search(message)
        needed = named.group(1) if named else action
        principal = _PRINCIPAL_IN_MESSAGE.search(message)
        who = principal.group(1) if principal else "the caller"
        place = f" in {region}" if region else ""
        return (
            f"access denied: {who} may not call {needed}{place} ({code}); "
            f"allow the IAM action {needed} in its policy"
        )
    if code in _THROTTLED or status == 429:
        tries = f" after {call.attempts} attempts" if call and call.attempts else ""
        return (
            f"AWS kept throttling {where}{tries} ({code}): try again later, or lower "
            "--concurrency where the command has it"
        )
    text = f"{code}: {' '.join(message.split())}" if message else code
    return f"{text} ({where})" if name_call else text


def _describe_botocore(exc: BaseException, call: Call | None) -> str:
    on = f" ({call.where})" if call else ""
    if isinstance(exc, _NO_CREDENTIALS):
        return (
            f"no AWS credentials{on}: pass --profile or set AWS_PROFILE, set AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
        )
    if isinstance(exc, _CREDENTIAL_SOURCE):
        return f"cannot get AWS credentials{on}: {_one_line(exc)}"
    if isinstance(exc, _UNREACHABLE):
        endpoint = getattr(exc, "kwargs", {}).get("endpoint_url")
        at = f" at {endpoint}" if endpoint else ""
        tries = f" after {call.attempts} attempts" if call and call.attempts else ""
        kind = {
            "ConnectTimeoutError": "connecting timed out",
            "ReadTimeoutError": "no answer in time",
            "EndpointConnectionError": "could not connect",
            "ConnectionClosedError": "the connection was closed",
        }.get(type(exc).__name__, type(exc).__name__)
        return (
            f"AWS did not answer{on}{at}: {kind}{tries}; check the network, the proxy, the "
            "region, or AWS_ENDPOINT_URL"
        )
    if isinstance(exc, botocore.exceptions.ProfileNotFound):
        return f"{_one_line(exc)}: check --profile, AWS_PROFILE and ~/.aws/config"
    return f"{type(exc).__name__}: {_one_line(exc)}{on}"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
