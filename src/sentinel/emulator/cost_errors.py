"""The errors the emulated Cost Explorer answers with, named by their AWS error codes."""

from __future__ import annotations


class CostExplorerError(Exception):
    """A Cost Explorer request the real API would reject, with its AWS error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def validation(cls, message: str) -> CostExplorerError:
        return cls("ValidationException", message)
