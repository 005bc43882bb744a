"""Imports flow bot -> strategies -> knowledge, and only bot reads the environment."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _imports(package: str):
    for path in (REPO / package).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                yield path, [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, [node.module]


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [("knowledge", ("bot", "strategies")), ("strategies", ("bot",))],
)
def test_lower_layers_never_import_upper_layers(package, forbidden):
    offenders = [
        f"{path.relative_to(REPO)}: {name}"
        for path, names in _imports(package)
        for name in names
        if name.split(".")[0] in forbidden
    ]
    assert offenders == []


@pytest.mark.parametrize("package", ["knowledge", "strategies"])
def test_lower_layers_never_read_the_environment(package):
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / package).rglob("*.py")
        if "os.environ" in path.read_text() or "getenv" in path.read_text()
    ]
    assert offenders == []


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
