"""Cost Explorer that answers from data: GetCostAndUsage, GetDimensionValues and GetTags, and
the reservation and Savings Plans reads (``sentinel.emulator.commitments``).

GetCostForecast answers DataUnavailableException, as Cost Explorer does for an account it
cannot forecast, so the product's own projection is what the emulator shows.

moto hands out queued, injected GetCostAndUsage results whatever the query asks. Here each
account's Cost Explorer backend holds a ``CostTable`` of daily cost records, and the three read
operations are computed from it by ``sentinel.emulator.cost_explorer``. While an account has no
cost records and results were queued through moto's own API, moto's behaviour is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.ce.models import CostExplorerBackend, ce_backends
from moto.ce.responses import CostExplorerResponse
from moto.core.exceptions import ServiceException

from sentinel import clock
from sentinel.emulator import commitments as commitment_reads
from sentinel.emulator import cost_explorer
from sentinel.emulator.commitments import Commitments
from sentinel.emulator.cost_errors import CostExplorerError
from sentinel.emulator.cost_table import DEFAULT_ACCOUNT_ID, CostRecord, CostTable

PARTITION = "aws"
_TABLE_ATTRIBUTE = "sentinel_cost_table"
_COMMITMENTS_ATTRIBUTE = "sentinel_commitments"
_moto_get_cost_and_usage = CostExplorerResponse.get_cost_and_usage


class CostExplorerServiceError(ServiceException):
    """A Cost Explorer error on the wire, with its AWS error code."""


def cost_table(account_id: str = DEFAULT_ACCOUNT_ID) -> CostTable:
    """The cost records the account's Cost Explorer answers from (empty until loaded)."""
    return _table_of(ce_backends[account_id][PARTITION])


def load_cost_table(table: CostTable, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Replace the account's cost records."""
    setattr(ce_backends[account_id][PARTITION], _TABLE_ATTRIBUTE, table)


def load_cost_records(records: Iterable[CostRecord], account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Replace the account's cost records."""
    load_cost_table(CostTable.from_records(records), account_id)


def commitments(account_id: str = DEFAULT_ACCOUNT_ID) -> Commitments:
    """The account's reservations and Savings Plans (none until loaded)."""
    return _commitments_of(ce_backends[account_id][PARTITION])


def _commitments_of(backend: CostExplorerBackend) -> Commitments:
    found = getattr(backend, _COMMITMENTS_ATTRIBUTE, None)
    if found is None:
        found = Commitments()
        setattr(backend, _COMMITMENTS_ATTRIBUTE, found)
    return found


def load_commitments(data: Commitments, account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Replace the account's reservation and Savings Plans records."""
    setattr(ce_backends[account_id][PARTITION], _COMMITMENTS_ATTRIBUTE, data)


def install() -> None:
    CostExplorerResponse.get_cost_and_usage = _get_cost_and_usage  # type: ignore[method-assign]
    CostExplorerResponse.get_dimension_values = _answer(cost_explorer.get_dimension_values)  # type: ignore[attr-defined]
    CostExplorerResponse.get_tags = _answer(cost_explorer.get_tags)  # type: ignore[attr-defined]
    CostExplorerResponse.get_cost_forecast = _no_forecast  # type: ignore[attr-defined]
    for name, read in commitment_reads.READS.items():
        setattr(CostExplorerResponse, name, _commitment_answer(read))


def _no_forecast(self: CostExplorerResponse) -> str:
    """Forecasts are not emulated: answer as Cost Explorer does when it cannot forecast.

    Without this, moto fails the request with a server error and a traceback in its log;
    callers fall back to their own projection either way.
    """
    raise CostExplorerServiceError(
        "DataUnavailableException",
        "Insufficient amount of historical data to generate forecast (forecasts are not emulated)",
    )


def _table_of(backend: CostExplorerBackend) -> CostTable:
    table = getattr(backend, _TABLE_ATTRIBUTE, None)
    if table is None:
        table = CostTable.empty()
        setattr(backend, _TABLE_ATTRIBUTE, table)
    return table


def today() -> Any:
    """The emulated account's today, for every answer computed from the cost table."""
    return clock.today()


def _get_cost_and_usage(self: CostExplorerResponse) -> str:
    backend = self.ce_backend
    table = _table_of(backend)
    if not len(table) and (backend.cost_usage_results_queue or backend.cost_usage_results):
        return _moto_get_cost_and_usage(self)
    return _answer(lambda t, request: cost_explorer.get_cost_and_usage(t, request, today=today()))(
        self
    )


def _commitment_answer(
    read: Callable[[Commitments, dict[str, Any]], dict[str, Any]],
) -> Callable[[CostExplorerResponse], str]:
    def handler(self: CostExplorerResponse) -> str:
        request = json.loads(self.body or "{}")
        try:
            return json.dumps(read(_commitments_of(self.ce_backend), request))
        except CostExplorerError as exc:
            raise CostExplorerServiceError(exc.code, exc.message) from exc

    return handler


def _answer(
    compute: Callable[[CostTable, dict[str, Any]], dict[str, Any]],
) -> Callable[[CostExplorerResponse], str]:
    def handler(self: CostExplorerResponse) -> str:
        request = json.loads(self.body or "{}")
        try:
            return json.dumps(compute(_table_of(self.ce_backend), request))
        except CostExplorerError as exc:
            raise CostExplorerServiceError(exc.code, exc.message) from exc

    return handler
