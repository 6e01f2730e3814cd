"""The one exception hierarchy of Sentinel; the CLI maps each class to an exit code."""

from __future__ import annotations

from dataclasses import dataclass


class SentinelError(Exception):
    """A failure the user can act on: shown as a message, never as a traceback."""

    exit_code = 1


@dataclass(frozen=True, order=True)
class ConfigProblem:
    """One problem in the user's configuration, pinned to a place in a file."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True, order=True)
class ConfigWarning(ConfigProblem):
    """A valid setting that does nothing, or a file that is not read: said, never fatal."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: warning: {self.message}"


class ConfigError(SentinelError):
    """The configuration is invalid; carries every problem found, not only the first."""

    def __init__(
        self, problems: list[ConfigProblem], warnings: list[ConfigWarning] | None = None
    ) -> None:
        self.problems = sorted(problems)
        self.warnings = sorted(warnings or [])
        count = len(self.problems)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in configuration")


class AwsError(SentinelError):
    """An AWS call failed in a way retries could not fix (credentials, permissions, ...)."""


class SecretError(SentinelError):
    """A secret reference could not be resolved. The message never holds the secret."""


class RefusedError(SentinelError):
    """Sentinel refused to do something dangerous without an explicit flag or confirmation."""


class PlanFileError(SentinelError):
    """A saved plan that cannot be applied: unreadable, of another version or project, or stale."""


class TargetError(SentinelError):
    """A ``--target`` that names no kind, or that matches no resource."""


class DeliveryFailed(Exception):
    """A destination did not accept a message: an alert (the router) or a report (the outbox).

    ``destination`` names it (``Slack #alerts``, ``SES``); ``retry_after`` is the service's own
    wish (429 Retry-After); ``permanent`` means retrying cannot help (a revoked token, a missing
    channel): the router sends the message to the dead-letter queue. ``unanswered``: no answer
    came (a timeout, a dropped connection), so the message may have been accepted all the same.
    """

    def __init__(
        self,
        destination: str,
        reason: str,
        retry_after: float | None = None,
        permanent: bool = False,
        unanswered: bool = False,
    ) -> None:
        super().__init__(f"{destination}: {reason}")
        self.destination = destination
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent
        self.unanswered = unanswered
