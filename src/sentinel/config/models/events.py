"""``events:`` in ``alarms/*.yaml``: EventBridge rules that route AWS events to a severity."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from sentinel.config.models.base import Model, Name


class EventRule(Model):
    """One EventBridge rule: a preset (with its options) or a raw event pattern."""

    name: Name
    severity: str
    preset: str | None = Field(
        default=None, description="a named pattern: ecs-deployment-failure, ..."
    )
    pattern: dict[str, Any] | str | None = Field(
        default=None, description="a raw EventBridge event pattern (an object, or its JSON text)"
    )
    options: dict[str, Any] = Field(default={}, description="the preset's options")
    description: str | None = Field(default=None, max_length=512)

    @field_validator("options", mode="before")
    @classmethod
    def _options_mapping(cls, value: Any) -> Any:
        return {} if value is None else value
