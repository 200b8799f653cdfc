"""What a new user meets when something is off: a clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.api import Cairn
from engine.cli import cli, common
from engine.cli import folders as _registers_folders  # noqa: F401  (adds add/index/status to the command group)
from engine.cli import settings as _registers_config  # noqa: F401  (adds `config`)
from tests.cli.test_cli import cairn
from tests.fakes import FakeEmbedder


def clean_failure(proc: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    return proc.stderr


def test_adding_a_folder_again_keeps_its_exclusions_and_what_was_forgotten(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "diagnosis.txt").write_text("The patient was diagnosed with a rare condition.")
    (docs / "drafts").mkdir()
    (docs / "drafts" / "d.txt").write_text("A draft.")
    cairn("add", str(docs), "--exclude", "drafts", home=cairn_home)
    cairn("forget", str(docs / "diagnosis.txt"), home=cairn_home)
    again = cairn("add", str(docs), home=cairn_home).stdout
    assert "already" in again
    excludes = json.loads(cairn("config", "--json", home=cairn_home).stdout)["folders"][str(docs)]
    assert "drafts" in excludes and "/diagnosis.txt" in excludes
    cairn("index", home=cairn_home)
    assert json.loads(cairn("status", "--json", home=cairn_home).stdout)["files"] == 0, "the forgotten file stays out"


def test_remove_names_the_folder_as_add_did(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    cairn("add", str(docs), home=cairn_home)
    env = {**os.environ, "CAIRN_HOME": str(cairn_home), "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.run([sys.executable, "-m", "engine.cli", "remove", "./docs/"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0 and f"Removed {docs} " in proc.stdout
