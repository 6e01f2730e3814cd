"""Run every benchmark module of this package that has a ``main()``, or only those named.

python -m bench                 # all
python -m bench sync_plan       # one
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def main(argv: list[str]) -> int:
    names = argv or sorted(
        module.name
        for module in pkgutil.iter_modules(bench.__path__)
        if not module.name.startswith("_")
    )
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        run = getattr(module, "main", None)
        if run is None:
            continue
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        code = run()
        print(f"--- bench.{name}: {time.perf_counter() - started:.1f} s", flush=True)
        if code:
            return int(code)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
