"""Python's cycle collector held off while a bulk step builds many long-lived objects.

Reading 10,000 rules builds about a million dicts, lists and strings, and planning them as
many again; none of them form cycles that the step itself would leave behind, yet each one
created counts towards the collector's next run, and every full run walks all of them: a
third of ``load_config``'s time went to collections that freed nothing. Reference counting
still frees everything at once; cycles made meanwhile wait for the next collection.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the block runs (as a decorator: while it is called).

    Nested and concurrent uses are safe: the collector is turned back on only by the use that
    turned it off, so it ends on whenever it was on before.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
