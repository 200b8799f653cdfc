"""`cairn index` killed with SIGKILL at random moments leaves a whole index, and the next pass completes it.

The same code as `python -m benchmarks.kill_pass FOLDER --kills 20`, run with a few kills on the
real Word and Excel files of tests/fixtures (a long document, a Chinese one, two encrypted
ones that fail with a reason), with the real model, in real `cairn` processes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from benchmarks.kill_pass import check, final_passes, kill_passes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "office97"


@pytest.mark.model
def test_kill_9_at_random_moments_then_a_pass_that_completes(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(FIXTURES, docs, ignore=shutil.ignore_patterns("*.md"))
    said: list[str] = []
    outcome = kill_passes(docs, cairn_home, kills=4, seed=7, max_delay=3.0, out=said.append)
    final_passes(cairn_home, outcome, out=said.append)
    assert outcome.failed_checks == [], "\n".join(said)
    assert outcome.kills >= 1, "\n".join(said)
    final = check(cairn_home / "data" / "index.db")
    assert final.ok and final.counts["files"] == 5, final.summary()
    assert (final.counts["indexed"], final.counts["failed"]) == (3, 2), "the encrypted ones fail, with a reason"
