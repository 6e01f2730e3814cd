"""Secrets are references (``env:NAME``, ``ssm:/path``, ``secretsmanager:name``), never values.

The reference may be shown; the value it resolves to never is: it is fetched at apply or send
time and handed straight to the client that needs it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, WithJsonSchema

from sentinel.errors import SecretError

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config.configuration import Config

_REFERENCE = re.compile(r"^(env:[A-Za-z_][A-Za-z0-9_]*|ssm:/\S+|secretsmanager:\S+)$")
SENSITIVE = "(sensitive)"
# The AWS calls resolving a reference of each kind makes (``sentinel iam-policy``).
SECRET_CALLS: dict[str, tuple[str, ...]] = {
    "env": (),
    "ssm": ("ssm:GetParameter",),
    "secretsmanager": ("secretsmanager:GetSecretValue",),
}


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


@dataclass(frozen=True)
class SecretReference:
    kind: str  # env, ssm, secretsmanager
    name: str  # the variable, parameter (with its leading /) or secret


def secret_references(config: Config) -> list[SecretReference]:
    """Every secret reference a loaded configuration holds, each once, in the order found."""
    found: dict[str, SecretReference] = {}

    def visit(value: Any) -> None:
        if isinstance(value, str):
            text = value.strip()
            if _REFERENCE.match(text) and text not in found:
                kind, _, name = text.partition(":")
                found[text] = SecretReference(kind, name)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                visit(getattr(value, name))
        elif is_dataclass(value) and not isinstance(value, type):
            for item in fields(value):
                visit(getattr(value, item.name))
        elif isinstance(value, dict):
            for item in value.values():
                visit(item)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                visit(item)

    visit(config)
    return list(found.values())
