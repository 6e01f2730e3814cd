"""Right-sizing tests run against moto with the emulator's CloudWatch extensions."""

from __future__ import annotations

import pytest

from sentinel.emulator.extensions import install


@pytest.fixture(autouse=True)
def emulator_extensions() -> None:
    install()
