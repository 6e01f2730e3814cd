"""Every imported distribution is declared, and a plain install runs without the emulator."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
SRC = REPOSITORY / "src"
# Modules only the `local` extra may need: the emulator, the stand-ins, and the demo on them.
LOCAL = ("sentinel.emulator.", "sentinel.routing.standins", "sentinel.demo")
# What `pip install sentinel-aws[local]` adds and a plain install must never import.
BLOCKED = ("moto", "flask", "flask_cors", "werkzeug", "cryptography")


def _project() -> dict:
    return tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert name, requirement
        names.add(_normal(name.group(0)))
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_local(module: str) -> bool:
    return module.startswith(LOCAL) or module == "sentinel.demo"


def _imports(path: Path) -> set[str]:
    """Top-level names of every absolute import in the file (lazy ones in functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _third_party(names: set[str]) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n not in ("sentinel",)}


def test_every_imported_distribution_is_declared_with_a_lower_bound() -> None:
    project = _project()
    extras = project["optional-dependencies"]
    for requirement in [*project["dependencies"], *extras["local"], *extras["dev"]]:
        if requirement.startswith("sentinel-aws["):
            continue
        assert ">=" in requirement, f"no lower bound: {requirement}"
    base = _names(project["dependencies"])
    local = base | _names(extras["local"])
    distributions = importlib.metadata.packages_distributions()
    undeclared = []
    for path in sorted(SRC.rglob("*.py")):
        module = _module_name(path)
        allowed = local if _is_local(module) else base
        for name in sorted(_third_party(_imports(path))):
            owners = {_normal(d) for d in distributions.get(name, [])}
            assert owners, f"{module} imports {name}, which no installed distribution provides"
            if not owners & allowed:
                extra = "the `local` extra" if _is_local(module) else "the dependencies"
                undeclared.append(f"{module} imports {name} ({', '.join(owners)}): not in {extra}")
    assert undeclared == []


def test_tests_and_benchmarks_import_only_declared_distributions() -> None:
    project = _project()
    extras = project["optional-dependencies"]
    declared = _names(project["dependencies"]) | _names(extras["local"]) | _names(extras["dev"])
    distributions = importlib.metadata.packages_distributions()
    # The repository's own top-level packages and the test packages imported by name.
    tests = REPOSITORY / "tests"
    own = {p.name for p in (*REPOSITORY.iterdir(), *tests.rglob("*")) if p.is_dir()}
    own |= {p.stem for p in tests.rglob("*.py")}
    undeclared = []
    for folder in ("tests", "bench", "tools"):
        for path in sorted((REPOSITORY / folder).rglob("*.py")):
            for name in sorted(_third_party(_imports(path)) - own):
                owners = {_normal(d) for d in distributions.get(name, [])}
                if not owners & declared:
                    undeclared.append(f"{path.relative_to(REPOSITORY)} imports {name}")
    assert undeclared == []


# Runs in a fresh interpreter where moto, flask and cryptography cannot be imported.
_LEAN = """
import importlib, json, sys
from importlib.abc import MetaPathFinder

BLOCKED = set(sys.argv[1].split(","))

class Blocked(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed (blocked)")
        return None

sys.meta_path.insert(0, Blocked())
failures = {}
for module in json.loads(sys.argv[2]):
    try:
        importlib.import_module(module)
    except Exception as exc:
        failures[module] = repr(exc)
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
print(json.dumps({"failures": failures, "leaked": leaked}))

from sentinel.cli import main
sys.argv = ["sentinel", *sys.argv[3:]]
main()
"""


def _lean(*args: str, modules: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LEAN, ",".join(BLOCKED), json.dumps(modules or []), *args],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC), "COLUMNS": "100"},
        timeout=120,
        check=False,
    )


def test_a_plain_install_imports_every_module_but_the_local_ones_without_moto_or_flask() -> None:
    modules = sorted(
        name
        for name in (_module_name(p) for p in SRC.rglob("*.py"))
        if not _is_local(name) and not name.endswith("__main__")
    )
    assert (
        "sentinel.emulator" in modules
    )  # the package itself stays importable: it says what to install
    result = _lean("--help", modules=modules)
    report = json.loads(result.stdout.splitlines()[0])
    assert report == {"failures": {}, "leaked": []}
    assert result.returncode == 0, result.stderr
    assert "validate" in result.stdout and "plan" in result.stdout


def test_validate_works_on_a_plain_install() -> None:
    result = _lean("validate", "-C", str(REPOSITORY))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "project p2p is valid" in result.stdout


def test_the_emulator_commands_say_how_to_install_it() -> None:
    for command in (["local", "--port", "0"], ["demo"]):
        result = _lean(*command)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "install sentinel-aws[local]" in result.stderr
        assert "pip install 'sentinel-aws[local]'" in result.stderr
        assert "Traceback" not in result.stderr
