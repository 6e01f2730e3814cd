"""Secret references: parsing never repeats a value; resolving reads env, SSM, Secrets Manager."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sentinel.aws.session import SessionFactory
from sentinel.config.models.routing import PagerDuty
from sentinel.config.secrets import parse_secret_reference, resolve_secret
from sentinel.errors import SecretError

SECRET = "R0ZXcXNjYXJ5c2VjcmV0a2V5MTIz"


@pytest.mark.parametrize(
    "reference",
    [
        "env:PAGERDUTY_KEY",
        "env:_x1",
        "ssm:/sentinel/pagerduty",
        "secretsmanager:slack",
        "secretsmanager:arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf",
        "  env:PADDED  ",
    ],
)
def test_references_are_accepted(reference: str) -> None:
    assert parse_secret_reference(reference) == reference.strip()


@pytest.mark.parametrize(
    "value",
    [
        SECRET,
        "https://hooks.example.com/services/T000/B000/XyZzY",
        "env:1BAD",
        "env:",
        "ssm:relative/path",
        "vault:secret/x",
        "secretsmanager:",
        12345,
        None,
    ],
)
def test_anything_else_is_refused_in_the_same_words(value: object) -> None:
    with pytest.raises(ValueError) as caught:
        parse_secret_reference(value)

    # The same words for every value: nothing of it can reach a log.
    assert str(caught.value) == (
        "a secret must be a reference (env:NAME, ssm:/path or secretsmanager:name), "
        "never the secret itself"
    )


def test_a_model_error_does_not_carry_the_value_into_its_message() -> None:
    with pytest.raises(ValidationError) as caught:
        PagerDuty(integration_key=SECRET)

    [error] = caught.value.errors(include_url=False)
    assert SECRET not in error["msg"]


def test_env_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTINEL_TEST_SECRET", SECRET)

    assert resolve_secret("env:SENTINEL_TEST_SECRET") == SECRET


@pytest.mark.parametrize("value", [None, ""])
def test_env_reference_unset_or_empty(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("SENTINEL_TEST_SECRET", raising=False)
    else:
        monkeypatch.setenv("SENTINEL_TEST_SECRET", value)

    with pytest.raises(SecretError, match="environment variable SENTINEL_TEST_SECRET is not set"):
        resolve_secret("env:SENTINEL_TEST_SECRET")


def test_aws_references_need_aws_access() -> None:
    with pytest.raises(SecretError, match=r"^secret ssm:/x: AWS access is needed to resolve it$"):
        resolve_secret("ssm:/x")


def test_ssm_secure_string(aws: SessionFactory) -> None:
    aws.client("ssm").put_parameter(Name="/sentinel/pagerduty", Value=SECRET, Type="SecureString")

    assert resolve_secret("ssm:/sentinel/pagerduty", aws) == SECRET


def test_secrets_manager_string(aws: SessionFactory) -> None:
    aws.client("secretsmanager").create_secret(Name="slack", SecretString=SECRET)

    assert resolve_secret("secretsmanager:slack", aws) == SECRET


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        ("ssm:/sentinel/missing", "ParameterNotFound"),
        ("secretsmanager:missing", "ResourceNotFoundException"),
    ],
)
def test_missing_aws_secret_names_the_reference_and_the_code(
    aws: SessionFactory, reference: str, code: str
) -> None:
    with pytest.raises(SecretError) as caught:
        resolve_secret(reference, aws)

    assert str(caught.value) == f"secret {reference}: cannot be read ({code})"
    assert caught.value.__cause__ is None


def test_unknown_kind_is_refused(aws: SessionFactory) -> None:
    with pytest.raises(SecretError, match="unknown reference kind 'vault'"):
        resolve_secret("vault:x", aws)
