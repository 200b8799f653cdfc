"""The engine's one front door: what `engine` exports, and that clients use nothing else."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import engine

ROOT = Path(__file__).resolve().parents[2]


def test_every_exported_name_resolves_and_is_declared_for_type_checkers() -> None:
    tree = ast.parse((ROOT / "engine" / "__init__.py").read_text())
    checked = {alias.asname or alias.name
               for node in ast.walk(tree) if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
               for stmt in node.body if isinstance(stmt, ast.ImportFrom) for alias in stmt.names}
    lazy = set(engine._EXPORTS)
    assert checked == lazy
    assert set(engine.__all__) == lazy | {"__version__"}
    for name in engine.__all__:
        assert getattr(engine, name) is not None


def test_the_cli_starts_without_loading_the_index_or_the_models() -> None:
    """`cairn --help` and a Ctrl+C at start-up must not wait for numpy, SQLite or llama.cpp."""
    probe = ("import sys, engine.cli; "
             "print(sorted(m for m in ('numpy', 'apsw', 'llama_cpp', 'sqlite_vec') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_clients_import_only_the_front_door() -> None:
    """The import contracts (.importlinter): CI runs the same check before the tests."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is in the test extras (setup.sh installs it)"
    result = subprocess.run([lint, ".importlinter"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:]
