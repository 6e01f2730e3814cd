"""The extensions are installed before any emulated account is used."""

from __future__ import annotations

import pytest

from sentinel.emulator.extensions import install


@pytest.fixture(autouse=True, scope="session")
def emulator_extensions() -> None:
    install()
