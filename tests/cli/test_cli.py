"""The `cairn` command as a person runs it: exit codes, output, then what the index holds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import write_corpus

COMMANDS = ["add", "remove", "index", "reindex", "status", "search", "watch", "encrypt", "forget", "config"]


def cairn(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAIRN_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"cairn {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str, cairn_home: Path) -> None:
    out = cairn(command, "--help", home=cairn_home).stdout
    assert "Usage:" in out and command in out


def test_add_index_search_status_remove(tmp_path: Path, cairn_home: Path) -> None:
    docs = write_corpus(tmp_path / "docs")
    assert "Added" in cairn("add", str(docs), home=cairn_home).stdout
    indexed = cairn("index", home=cairn_home).stdout
    assert "30 added" in indexed and "0 failed" in indexed

    results = json.loads(cairn("search", "songbirds flying to warmer continents", "--json", home=cairn_home).stdout)
    assert Path(results[0]["path"]).name == "bird-migration.txt"
    assert {"path", "score", "text", "page", "start", "end"} <= set(results[0])

    human = cairn("search", "2023-CV-04417", home=cairn_home).stdout
    assert human.splitlines()[0].startswith("1. ") and "court-ruling.txt" in human.splitlines()[0]

    status = json.loads(cairn("status", "--json", home=cairn_home).stdout)
    assert status["files"] == 30 and status["chunks"] >= 30 and status["dimensions"] == 384
    (folder,) = status["folders"]
    assert sum(folder["languages"].values()) == status["chunks"]  # every passage counted under its language
    assert next(iter(folder["languages"])) == "en"  # the corpus is English: the most passages first
    assert "passages by language: en " in cairn("status", home=cairn_home).stdout

    assert "0 added" in cairn("index", home=cairn_home).stdout  # nothing changed: nothing to do
    cairn("remove", str(docs), home=cairn_home)
    assert json.loads(cairn("status", "--json", home=cairn_home).stdout)["files"] == 0


def test_home_option_wins_over_environment(tmp_path: Path, cairn_home: Path) -> None:
    other = tmp_path / "elsewhere"
    cairn("--home", str(other), "add", str(write_corpus(tmp_path / "d")), home=cairn_home)
    assert (other / "data" / "index.db").exists()
    assert not (cairn_home / "data" / "index.db").exists()


def test_errors_are_one_clear_line(tmp_path: Path, cairn_home: Path) -> None:
    proc = cairn("remove", str(tmp_path / "never-added"), home=cairn_home, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: ") and "not an indexed folder" in proc.stderr
    assert "Traceback" not in proc.stderr
