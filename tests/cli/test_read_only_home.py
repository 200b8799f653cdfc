"""An index Cairn may read but not change (a backup mounted read-only, permissions taken away):
searching, asking and status work; every command that writes says the index is read-only.

The tests run as root here, where chmod does not stop a write; a read-only bind mount in a
private mount namespace (`unshare -m`) does, for root too, as the mounted backup would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_cli import cairn

MOUNT_READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'


def can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", MOUNT_READ_ONLY, "/tmp", "true"], capture_output=True)
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not can_mount(), reason="needs a private mount namespace (unshare -m, as root)")


def read_only_cairn(target: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`cairn ARGS` with `target` (the home, or only the index file) mounted read-only."""
    env = {**os.environ, "CAIRN_HOME": str(home)}
    return subprocess.run(["unshare", "-m", "sh", "-c", MOUNT_READ_ONLY, str(target),
                           sys.executable, "-m", "engine.cli", *args],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def indexed(tmp_path: Path, cairn_home: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lighthouse.txt").write_text("The lighthouse keeper writes down every storm in the logbook at night.")
    (docs / "orchard.txt").write_text("The orchard cooperative sells apples and pear cider at the Saturday market.")
    cairn("add", str(docs), home=cairn_home)
    cairn("index", home=cairn_home)
    return docs


@pytest.mark.parametrize("read_only", ["home", "index file"])
def test_a_read_only_index_is_searched_and_refuses_changes_clearly(indexed: Path, cairn_home: Path,
                                                                    read_only: str) -> None:
    db = cairn_home / "data" / "index.db"
    target = cairn_home if read_only == "home" else db
    before = db.read_bytes()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return read_only_cairn(target, *args, home=cairn_home)

    status = run("status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["files"] == 2
    for mode in ("keyword", "hybrid"):
        found = run("search", "who records storms", "--mode", mode, "--json") if mode == "hybrid" else \
            run("search", "logbook", "--mode", mode, "--json")
        assert found.returncode == 0, found.stderr
        assert Path(json.loads(found.stdout)[0]["path"]).name == "lighthouse.txt"
    answer = run("ask", "--extractive", "--json", "Where is the cider sold?")
    assert answer.returncode == 0, answer.stderr
    cited = json.loads(answer.stdout)
    assert cited["sentences"] and Path(cited["sources"][cited["sentences"][0]["citations"][0] - 1]["path"]).name \
        == "orchard.txt"

    (indexed / "new.txt").write_text("A note written after the backup was made.")
    for command in (["index"], ["reindex"], ["add", str(indexed)], ["forget", str(indexed / "orchard.txt")],
                    ["remove", str(indexed)], ["config", "set", "threads", "2"], ["config", "exclude", "*.tmp"]):
        refused = run(*command)
        assert refused.returncode == 1, (command, refused.returncode, refused.stderr)
        assert refused.stderr.startswith("Error: ") and "read-only" in refused.stderr, (command, refused.stderr)
        assert "Traceback" not in refused.stderr, refused.stderr
    assert db.read_bytes() == before
    assert json.loads(cairn("status", "--json", home=cairn_home).stdout)["files"] == 2, "writable again: all there"
