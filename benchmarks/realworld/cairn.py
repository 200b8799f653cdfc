"""`cairn index` on the corpus: one pass per format folder, each in a fresh home.

Per pass: wall seconds, the seconds Cairn reports, peak memory (the largest sum of resident
memory over the `cairn` process and its reader processes, sampled every 0.2 s, and the largest
single process from the kernel's accounting), and for every file its status, reason and passages
(read from the index itself). A pass that stops with an error is an abort: its traceback is kept,
the file being written then (the first in scan order without a row) is excluded, and the pass is
run again, until it completes. Each excluded file is then indexed alone: if it aborts alone too it
is the culprit; if not, it was lost to another file's failure (and its lone result is used).
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.realworld.paths import CAIRN, CORPUS, REPO

CLI = REPO / ".venv" / "bin" / "cairn"
MAX_RETRIES = 25


def run_all(only: set[str] | None = None) -> None:
    CAIRN.mkdir(parents=True, exist_ok=True)
    formats = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
    for fmt in formats:
        if only and fmt not in only:
            continue
        result = run_format(fmt)
        (CAIRN / f"{fmt}.json").write_text(json.dumps(result, indent=1))
        p = result["passes"]
        print(f"{fmt:9} {len(result['files']):5} files  {sum(x['wall'] for x in p):7.1f} s  "
              f"{sum(f['passages'] for f in result['files'].values()):6} passages  "
              f"peak {max(x['peak_tree_mb'] for x in p):6.0f} MB  aborts {len(result['aborts'])}", flush=True)


def run_format(fmt: str) -> dict[str, object]:
    folder = CORPUS / fmt
    home = CAIRN / "homes" / fmt
    shutil.rmtree(home, ignore_errors=True)
    _cli(home, "add", str(folder))
    return {"format": fmt, **run_home(home, folder)}


def run_home(home: Path, folder: Path) -> dict[str, object]:
    """Index passes on a home whose folder is already added, until one completes (see the module's doc)."""
    fmt = folder.name
    passes: list[dict[str, object]] = []
    aborts: list[dict[str, object]] = []
    excluded: list[str] = []
    for _ in range(MAX_RETRIES):
        outcome = _index_pass(home)
        passes.append(outcome)
        if outcome["returncode"] == 0:
            break
        rows = _rows(home)
        culprit = next((p for p in _walk(folder) if p not in rows), None)
        aborts.append({"format": fmt, "returncode": outcome["returncode"], "stderr": outcome["stderr"][-6000:],
                       "first_file_without_row": culprit})
        if culprit is None:
            break
        rel = Path(culprit).relative_to(folder).as_posix()
        excluded.append(culprit)
        _cli(home, "add", str(folder), "--exclude", _glob_escape(rel))
    files = _rows(home)
    for path in excluded:
        alone = _alone(Path(path))
        for abort in aborts:
            if abort["first_file_without_row"] == path:
                abort["aborts_alone"] = alone["aborted"]
        files[path] = {**alone["row"], "excluded_after_abort": True, "aborts_alone": alone["aborted"]}
    excludes = json.loads(_cli(home, "status", "--json"))["folders"][0]["excludes"]
    for path in set(_walk(folder)) - files.keys():
        rel = Path(path).relative_to(folder).as_posix()
        if path in excluded:
            continue
        if _excluded(rel, excludes):  # Cairn's default exclusions (hidden files, keys, ...) or the benchmark's
            files[path] = {"status": "excluded", "error": "matches an exclusion", "passages": 0, "kind": None}
        else:
            files[path] = {"status": "lost", "error": "no row in the index after the pass", "passages": 0, "kind": None}
    return {"passes": passes, "aborts": aborts, "files": files}


def _index_pass(home: Path) -> dict[str, object]:
    started = time.perf_counter()
    proc = subprocess.Popen([str(CLI), "--home", str(home), "index"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    peak = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample, args=(proc.pid, peak, done), daemon=True)
    sampler.start()
    out_chunks: list[str] = []
    err_chunks: list[str] = []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)
               for s, b in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    for r in readers:
        r.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = "".join(out_chunks)
    reported = None
    if stdout.startswith("Indexed in "):
        reported = float(stdout.split()[2])
    return {"returncode": proc.returncode, "wall": wall, "reported_seconds": reported, "stdout": stdout.strip(),
            "stderr": "".join(err_chunks), "peak_tree_mb": peak[0] / 2**20, "peak_process_mb": usage.ru_maxrss / 1024,
            "cpu_seconds": usage.ru_utime + usage.ru_stime}


def _sample(pid: int, peak: list[int], done: threading.Event) -> None:
    page = os.sysconf("SC_PAGE_SIZE")
    while not done.is_set():
        total = 0
        for p in _descendants(pid):
            try:
                total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * page
            except (OSError, IndexError, ValueError):
                pass
        peak[0] = max(peak[0], total)
        done.wait(0.2)


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _rows(home: Path) -> dict[str, dict[str, object]]:
    """Every file the index knows, as the index has it; "partial" for indexed files with a gap."""
    database = json.loads(_cli(home, "status", "--json"))["database"]
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT path, status, error, chunks, kind FROM files").fetchall()
    return {path: {"status": "partial" if status == "indexed" and error else status, "error": error,
                   "passages": chunks, "kind": kind} for path, status, error, chunks, kind in rows}


def _alone(path: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="realworld-alone-") as tmp:
        folder, home = Path(tmp) / "folder", Path(tmp) / "home"
        folder.mkdir()
        shutil.copy2(path, folder / path.name)
        _cli(home, "add", str(folder))
        outcome = _index_pass(home)
        rows = _rows(home)
        row = next(iter(rows.values()), {"status": "lost", "error": "aborted alone", "passages": 0, "kind": None})
        return {"aborted": outcome["returncode"] != 0, "row": row, "stderr": outcome["stderr"][-3000:]}


def _walk(root: Path) -> list[str]:
    """Files in the order `cairn index` writes them (engine.scan.walk: a stack of folders, names sorted)."""
    found: list[str] = []
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                found.append(entry.path)
    return found


def _excluded(rel: str, patterns: list[str]) -> bool:
    """engine.scan.is_excluded's rule: a pattern matches a name in the path, or with a '/' the path."""
    parts = rel.split("/")
    return any(fnmatch.fnmatchcase(rel, p.strip("/")) or fnmatch.fnmatchcase(rel, p.strip("/") + "/*") if "/" in p
               else any(fnmatch.fnmatchcase(part, p) for part in parts) for p in patterns)


def _glob_escape(rel: str) -> str:
    return "".join(f"[{c}]" if c in "[]*?" else c for c in rel)


def _cli(home: Path, *args: str) -> str:
    return subprocess.run([str(CLI), "--home", str(home), *args], check=True, capture_output=True, text=True).stdout


def record_stopped(fmt: str, note: str) -> None:
    """The result of a pass stopped by hand (Ctrl+C: Cairn keeps what it indexed): the files it did not reach
    are "not measured", and the pass's time is not counted in any rate."""
    folder = CORPUS / fmt
    files = _rows(CAIRN / "homes" / fmt)
    for path in _walk(folder):
        files.setdefault(path, {"status": "not measured", "error": note, "passages": 0, "kind": None})
    result = {"format": fmt, "passes": [], "aborts": [], "stopped": note, "files": files}
    (CAIRN / f"{fmt}.json").write_text(json.dumps(result, indent=1))
