"""Secrets are references (``env:NAME``, ``ssm:/path``, ``secretsmanager:name``), never values.

The reference may be shown; the value it resolves to never is: it is fetched at apply or send
time and handed straight to the client that needs it.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from sentinel.errors import SecretError

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory

_REFERENCE = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|ssm:/\S+|secretsmanager:\S+)$")
SENSITIVE = "(sensitive)"


def parse_secret_reference(value: Any) -> str:
    # The message never repeats the value: it may be the secret itself.
    if isinstance(value, str) and _REFERENCE.match(value.strip()):
        return value.strip()
    raise ValueError(
        "a secret must be a reference (env:NAME, ssm:/path or secretsmanager:name), "
        "never the secret itself"
    )


SecretRef = Annotated[
    str,
    BeforeValidator(parse_secret_reference),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": _REFERENCE.pattern,
            "examples": ["env:PAGERDUTY_KEY", "ssm:/sentinel/pagerduty", "secretsmanager:slack"],
        }
    ),
]


def resolve_secret(reference: str, factory: SessionFactory | None = None) -> str:
    """The secret a reference points at. Errors name the reference, never a value."""
    kind, _, name = reference.partition(":")
    if kind == "env":
        value = os.environ.get(name)
        if not value:
            raise SecretError(f"secret {reference}: environment variable {name} is not set")
        return value
    if factory is None:
        raise SecretError(f"secret {reference}: AWS access is needed to resolve it")
    try:
        if kind == "ssm":
            response = factory.client("ssm").get_parameter(Name=name, WithDecryption=True)
            return str(response["Parameter"]["Value"])
        if kind == "secretsmanager":
            response = factory.client("secretsmanager").get_secret_value(SecretId=name)
            return str(response["SecretString"])
    except Exception as exc:  # botocore raises many shapes; the reference is what matters
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        raise SecretError(f"secret {reference}: cannot be read ({code})") from None
    raise SecretError(f"secret {reference}: unknown reference kind {kind!r}")
