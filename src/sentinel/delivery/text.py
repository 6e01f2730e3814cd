"""A report's terminal view as plain text, for mail and topic messages."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console

WIDTH = 100


def console_text(draw: Callable[[Console], None], width: int = WIDTH) -> str:
    """What ``draw`` prints on a terminal ``width`` columns wide, without colour."""
    console = Console(file=io.StringIO(), width=width, color_system=None, record=True)
    draw(console)
    return console.export_text()
