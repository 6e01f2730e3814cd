"""`sentinel --help` starts without the heavy libraries: they load when a command needs them."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("numpy", "pandas", "matplotlib", "moto", "slack_sdk", "apscheduler")
PROBE = """
import json, sys
from click.testing import CliRunner
from sentinel.cli import main
result = CliRunner().invoke(main, ["--help"])
assert result.exit_code == 0, result.output
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})))
"""


def test_help_imports_none_of_the_heavy_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert loaded & set(HEAVY) == set()
