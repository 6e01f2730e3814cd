"""Fixtures of the emulator tests."""

from __future__ import annotations

import pytest

from sentinel.emulator.cost_table import CostTable

from .bill import bill_records


@pytest.fixture(scope="session")
def bill() -> CostTable:
    return CostTable.from_records(bill_records())
