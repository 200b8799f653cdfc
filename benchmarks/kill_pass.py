"""Kill `cairn index` with SIGKILL at random moments, then check the index is whole and a pass completes.

    .venv/bin/python -m benchmarks.kill_pass FOLDER [--kills 20] [--seed 1] [--max-delay 8]

In a fresh Cairn home (a temporary one unless --home), FOLDER is added, then `cairn index`
is started and killed with SIGKILL at a random moment, `--kills` times: a quarter of the kills a
random time after the start, the rest after a random number of the pass's writes (up to 12) and up
to a second more, so that kills land all through the work however long one file takes. Each run carries
on from what the killed ones left; when a run finishes before its kill, the next one is
`cairn reindex` (which marks every file to be read and embedded again), so later kills still
land in the middle of work, and the delays shrink to that pass's length. After every kill
the index is checked: SQLite's integrity check, one exact vector, one partition membership and one
keyword row per passage, nothing left pointing at a passage that is gone, and every file's
passage count true. Then a pass runs to the end and is checked the same way, and a last
pass must find nothing to do. Prints what it checked; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import apsw  # noqa: E402

from engine.store import connect  # noqa: E402
from engine.store.sql import scalar  # noqa: E402

COUNTS = {
    "files": "SELECT count(*) FROM files",
    "indexed": "SELECT count(*) FROM files WHERE status = 'indexed'",
    "failed": "SELECT count(*) FROM files WHERE status = 'error'",
    "passages": "SELECT count(*) FROM chunks",
    "vectors": "SELECT count(*) FROM embeddings",
    "partitioned": "SELECT count(*) FROM vector_members",
    "keyword": "SELECT count(*) FROM chunks_fts",
    "file vectors": "SELECT count(*) FROM file_vectors",
    "files with passages": "SELECT count(DISTINCT file_id) FROM chunks",
    "orphans": "SELECT (SELECT count(*) FROM embeddings e LEFT JOIN chunks c ON c.id = e.chunk_id WHERE c.id IS NULL)"
               " + (SELECT count(*) FROM vector_members v LEFT JOIN chunks c ON c.id = v.chunk_id WHERE c.id IS NULL)"
               " + (SELECT count(*) FROM chunks c LEFT JOIN files f ON f.id = c.file_id WHERE f.id IS NULL)",
    "miscounted": "SELECT count(*) FROM files f WHERE f.chunks != (SELECT count(*) FROM chunks c WHERE c.file_id = f.id)",
}


@dataclass
class Check:
    counts: dict[str, int]
    integrity: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        c = self.counts
        return (f"{c['files']} files ({c['indexed']} indexed, {c['failed']} failed), {c['passages']} passages; "
                f"integrity {self.integrity}; " + ("consistent" if self.ok else "; ".join(self.problems)))


def check(db: Path) -> Check:
    """The index as a killed writer left it: what SQLite and Cairn's own consistency rule say of it."""
    if not db.exists():
        return Check({k: 0 for k in COUNTS}, "no index yet")
    conn = connect(db)  # a read-write open recovers the WAL, as the next cairn command would
    try:
        if not _has_vectors(conn):  # killed before the model was bound: no passage can exist yet
            return Check({k: 0 for k in COUNTS}, str(scalar(conn, "PRAGMA integrity_check")))
        found = Check({name: int(scalar(conn, sql)) for name, sql in COUNTS.items()},
                      str(scalar(conn, "PRAGMA integrity_check")))
    finally:
        conn.close()
    c = found.counts
    if found.integrity != "ok":
        found.problems.append(f"integrity_check: {found.integrity}")
    if not c["passages"] == c["vectors"] == c["partitioned"] == c["keyword"]:
        found.problems.append(f"passages {c['passages']}, vectors {c['vectors']}, partitioned {c['partitioned']}, "
                              f"keyword rows {c['keyword']} differ")
    if c["file vectors"] != c["files with passages"]:
        found.problems.append(f"{c['file vectors']} file vectors for {c['files with passages']} files with passages")
    if c["orphans"] or c["miscounted"]:
        found.problems.append(f"{c['orphans']} orphan rows, {c['miscounted']} files with a wrong passage count")
    return found


def _has_vectors(conn: apsw.Connection) -> bool:
    return bool(scalar(conn, "SELECT count(*) FROM sqlite_master WHERE name = 'vector_members'"))


def cairn(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CAIRN_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-m", "engine.cli", *args], env=env, text=True, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def finish(proc: subprocess.Popen[str], timeout: float | None = None) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def kill(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the pass; then whatever it started (its file reader) is killed too, as after a power cut."""
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what this pass started
    except ProcessLookupError:
        pass
    proc.communicate()


START_SHARE = 0.25  # of the kills, timed from the start of the pass rather than from one of its writes
MAX_WRITES = 12  # a kill after a write comes after the 1st to the 12th the pass makes...
JITTER = 1.0  # ...and up to this many seconds after it


@dataclass
class Outcome:
    kills: int = 0  # landed while the pass ran
    finished_first: int = 0  # the pass ended before its kill
    failed_checks: list[str] = field(default_factory=list)


def kill_passes(folder: Path, home: Path, kills: int, seed: int, max_delay: float,
                out: Callable[[str], None] = print) -> Outcome:
    rng = random.Random(seed)
    db = home / "data" / "index.db"
    code, _, err = finish(cairn(home, "add", str(folder)))
    if code:
        raise SystemExit(f"cairn add failed: {err.strip()}")
    outcome = Outcome()
    command = "index"
    for round_ in range(1, kills + 1):
        started = time.monotonic()
        proc = cairn(home, command)
        # a quarter of the kills at any moment (start-up, the model loading, the scan); the rest after a
        # random number of the pass's writes and a moment more, so they land all through the work of reading,
        # embedding and writing files, however long a file takes
        writes = 0 if rng.random() < START_SHARE else rng.randint(1, MAX_WRITES)
        after_write = writes > 0 and wait_for_writes(proc, db, writes)
        delay = rng.uniform(0.0, max_delay if not writes else min(max_delay, JITTER))
        try:
            code, _, err = finish(proc, timeout=delay)
        except subprocess.TimeoutExpired:
            kill(proc)
            outcome.kills += 1
            moment = f"write {writes}" if after_write else "start"
            note = f"cairn {command} killed {delay:.2f} s after its {moment}"
            command = "index"
        else:
            took = time.monotonic() - started
            outcome.finished_first += 1
            if code:
                outcome.failed_checks.append(f"round {round_}: cairn {command} exited {code}: {err.strip()[-300:]}")
            max_delay = min(max_delay, took)
            note = f"cairn {command} finished in {took:.1f} s, before its kill (exit {code})"
            command = "reindex"  # work for the next kill: every file is read and embedded again
        found = check(db)
        out(f"{round_:3}. {note}: {found.summary()}")
        if not found.ok:
            outcome.failed_checks.append(f"round {round_}: " + "; ".join(found.problems))
    return outcome


def wait_for_writes(proc: subprocess.Popen[str], db: Path, writes: int) -> bool:
    """Wait until the pass has committed to the index `writes` times (as seen by polling; False if it ended first)."""
    reader = apsw.Connection(str(db), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        version = scalar(reader, "PRAGMA data_version")
        while proc.poll() is None:
            now = scalar(reader, "PRAGMA data_version")
            if now != version:
                version, writes = now, writes - 1
                if writes == 0:
                    return True
            time.sleep(0.005)
        return False
    finally:
        reader.close()


def final_passes(home: Path, outcome: Outcome, out: Callable[[str], None] = print) -> None:
    db = home / "data" / "index.db"
    code, text, err = finish(cairn(home, "index"))
    found = check(db)
    out(f"final pass (exit {code}): {text.strip()}")
    out(f"     {found.summary()}")
    if code or not found.ok:
        outcome.failed_checks.append(f"final pass: exit {code} {err.strip()[-300:]} " + "; ".join(found.problems))
    code, text, err = finish(cairn(home, "index"))
    numbers = dict((name, int(n)) for n, name in re.findall(r"(\d+) (added|updated|moved|removed|failed)", text))
    out(f"pass after it (exit {code}): {text.strip()}")
    if code or any(numbers.get(name, -1) != 0 for name in ("added", "updated", "moved", "removed", "failed")):
        outcome.failed_checks.append(f"the pass after the final one still found work or failures: {text.strip()}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=8.0, help="longest wait before a kill, in seconds")
    parser.add_argument("--home", type=Path, help="Cairn home to use (default: a new temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cairn-kill-") as scratch:
        home = args.home or Path(scratch)
        print(f"{args.kills} kills of `cairn index` on {args.folder} (seed {args.seed}, delays up to "
              f"{args.max_delay:.1f} s), home {home}")
        outcome = kill_passes(args.folder.resolve(), home, args.kills, args.seed, args.max_delay)
        final_passes(home, outcome)
    print(f"{outcome.kills} kills landed mid-pass, {outcome.finished_first} passes finished first; "
          + ("every check passed" if not outcome.failed_checks else f"{len(outcome.failed_checks)} checks FAILED:"))
    for failure in outcome.failed_checks:
        print(f"  {failure}")
    return 1 if outcome.failed_checks else 0


if __name__ == "__main__":
    sys.exit(main())
