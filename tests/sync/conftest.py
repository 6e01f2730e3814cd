"""Fixtures of the sync tests: moto extended by the emulator, faults injected into it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sentinel.emulator.extensions import install

from .shop import PAGERDUTY_KEY, shop_files, write_config


@pytest.fixture(autouse=True)
def emulator_extensions(monkeypatch: pytest.MonkeyPatch) -> None:
    install()
    monkeypatch.setenv("SHOP_PAGERDUTY_KEY", PAGERDUTY_KEY)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files())


@pytest.fixture
def inject_faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Make the emulator fail calls: ``inject(ResponseClass, "put_metric_alarm", fault)``.

    ``fault(response)`` returns the exception to raise for that request, or None to serve it.
    The product's clients see real AWS error responses, and their retries, over the wire.
    """

    originals: dict[tuple[type, str], Callable[..., object]] = {}

    def inject(response_class: type, action: str, fault: Callable[..., Exception | None]) -> None:
        """Set the fault of one action, replacing any fault set before."""
        original = originals.setdefault((response_class, action), getattr(response_class, action))

        def serve(self: object) -> object:
            error = fault(self)
            if error is not None:
                raise error
            return original(self)

        monkeypatch.setattr(response_class, action, serve)

    with warnings.catch_warnings():
        # moto warns that error codes it was not built with are not in the service model.
        warnings.simplefilter("ignore", UserWarning)
        yield inject
