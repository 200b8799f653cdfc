"""No network, proven for native code too: every socket syscall of real `cairn` processes is traced.

The commands run inside an empty network namespace (`unshare -n`) under `strace`
following all threads and children; the trace of network syscalls must be empty.
A control run that does open a socket shows the trace would catch one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.answer.chat import bundled_chat_model_path
from tests.corpus import write_corpus

TOOLS = shutil.which("strace") and shutil.which("unshare")


SYSCALL = re.compile(r"^\d+\s+\w+\(", re.MULTILINE)


def syscalls(trace: Path) -> list[str]:
    return [m.group() for m in SYSCALL.finditer(trace.read_text())]


def traced(args: list[str], trace: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    cmd = ["strace", "-f", "-qq", "-e", "trace=%network", "-o", str(trace), "unshare", "-n", *args]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def _usable() -> bool:
    if not TOOLS:
        return False
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _usable(), reason="needs strace and permission for `unshare -n` (root or user namespaces)")
def test_add_index_search_ask_open_no_socket(tmp_path: Path, cairn_home: Path) -> None:
    docs = write_corpus(tmp_path / "docs")
    env = {**os.environ, "CAIRN_HOME": str(cairn_home)}
    cairn = [sys.executable, "-m", "engine.cli"]
    control = traced([sys.executable, "-c", "import socket; socket.socket()"], tmp_path / "control.log", env)
    assert control.returncode == 0 and any("socket(" in c for c in syscalls(tmp_path / "control.log"))

    runs = [["add", str(docs)], ["index"], ["search", "songbirds flying south"],
            ["ask", "When must the tax declaration be filed?", "--extractive"]]
    if bundled_chat_model_path().exists():  # the local chat model too (installed by setup.sh)
        runs.append(["ask", "When must the tax declaration be filed?", "--generate"])
    for n, args in enumerate(runs):
        trace = tmp_path / f"trace{n}.log"
        proc = traced([*cairn, *args], trace, env)
        assert proc.returncode == 0, proc.stderr
        assert syscalls(trace) == [], f"`cairn {args[0]}` made network syscalls:\n{trace.read_text()}"
