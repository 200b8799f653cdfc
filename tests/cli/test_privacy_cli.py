"""Privacy and settings commands as a person or a script runs them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cairn import Cairn
from engine.cli import cli, common
from engine.cli import folders as _registers_status  # noqa: F401  (adds `status` to the command group)
from tests.cli.test_cli import cairn
from tests.corpus import write_corpus

PASS = "a long enough passphrase"


def run_env(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "CAIRN_HOME": str(home), **env}
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], env=full, capture_output=True, text=True,
                          timeout=300)


def indexed_home(tmp_path: Path, home: Path) -> Path:
    docs = write_corpus(tmp_path / "docs")
    cairn("add", str(docs), home=home)
    cairn("index", home=home)
    return docs


def test_encrypt_then_every_command_needs_the_passphrase(tmp_path: Path, cairn_home: Path) -> None:
    indexed_home(tmp_path, cairn_home)
    done = run_env("encrypt", home=cairn_home, CAIRN_PASSPHRASE=PASS)
    assert done.returncode == 0 and "now encrypted" in done.stdout
    locked = run_env("search", "bread", home=cairn_home)
    assert locked.returncode == 1 and "encrypted" in locked.stderr and "Traceback" not in locked.stderr
    wrong = run_env("search", "bread", home=cairn_home, CAIRN_PASSPHRASE="not it at all")
    assert wrong.returncode == 1 and "wrong" in wrong.stderr
    found = run_env("search", "loaves of bread", "--json", home=cairn_home, CAIRN_PASSPHRASE=PASS)
    assert Path(json.loads(found.stdout)[0]["path"]).name == "sourdough.txt"
    changed = run_env("encrypt", home=cairn_home, CAIRN_PASSPHRASE=PASS, CAIRN_NEW_PASSPHRASE="another passphrase")
    assert "changed" in changed.stdout
    assert run_env("status", home=cairn_home, CAIRN_PASSPHRASE="another passphrase").returncode == 0


def test_killing_encrypt_at_any_moment_loses_nothing(tmp_path: Path, cairn_home: Path) -> None:
    indexed_home(tmp_path, cairn_home)
    env = {**os.environ, "CAIRN_HOME": str(cairn_home), "CAIRN_PASSPHRASE": PASS}
    for delay in (0.05, 0.2, 0.4, 0.6, 0.8, 1.2):
        proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "encrypt"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        plain = run_env("status", "--json", home=cairn_home)
        keyed = run_env("status", "--json", home=cairn_home, CAIRN_PASSPHRASE=PASS)
        opened = plain if plain.returncode == 0 else keyed
        assert opened.returncode == 0, (plain.stderr, keyed.stderr)
        assert json.loads(opened.stdout)["files"] == 30
        if plain.returncode != 0:
            break  # encrypted for good: later kills would only re-key with the same passphrase


def test_forget_and_exclusions(tmp_path: Path, cairn_home: Path) -> None:
    docs = indexed_home(tmp_path, cairn_home)
    assert "Forgot 1" in cairn("forget", str(docs / "court-ruling.txt"), home=cairn_home).stdout
    assert json.loads(cairn("search", "2023-CV-04417", "--json", "--mode", "keyword", home=cairn_home).stdout) == []
    settings = json.loads(cairn("config", "--json", home=cairn_home).stdout)
    assert ".*" in settings["excludes"] and "node_modules" in settings["excludes"]
    assert "/court-ruling.txt" in settings["folders"][str(docs)]
    typo = cairn("forget", str(docs / "court-ruling.txtt"), home=cairn_home, check=False)
    assert typo.returncode == 1 and "does not exist and nothing is indexed there" in typo.stderr
    excludes = json.loads(cairn("config", "--json", home=cairn_home).stdout)["folders"][str(docs)]
    assert excludes == settings["folders"][str(docs)], "a typo adds no exclusion"

    cairn("config", "exclude", "wedding*", "--folder", str(docs), home=cairn_home)
    cairn("index", home=cairn_home)
    assert json.loads(cairn("status", "--json", home=cairn_home).stdout)["files"] == 28
    cairn("config", "include", "wedding*", "--folder", str(docs), home=cairn_home)
    cairn("index", home=cairn_home)
    assert json.loads(cairn("status", "--json", home=cairn_home).stdout)["files"] == 29


def test_setting_a_broken_model_is_refused(tmp_path: Path, cairn_home: Path) -> None:
    bogus = tmp_path / "model.gguf"
    bogus.write_text("not a model")
    proc = run_env("config", "set", "embedding_model", str(bogus), home=cairn_home)
    assert proc.returncode == 1 and "Error:" in proc.stderr
    assert json.loads(cairn("config", "--json", home=cairn_home).stdout)["embedding_model"] is None


def test_a_stale_stored_passphrase_makes_a_terminal_ask(cairn_home: Path, memory_keyring,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A passphrase from the keyring or CAIRN_PASSPHRASE that does not open the index: on a
    terminal Cairn says so and asks (and puts the typed one in the keyring); a script gets the error."""
    monkeypatch.delenv("CAIRN_PASSPHRASE", raising=False)
    with Cairn(cairn_home) as opened:
        opened.encrypt(PASS, keep_in_keyring=True)
    [entry] = memory_keyring.passwords
    memory_keyring.passwords[entry] = "an older passphrase"

    script = CliRunner().invoke(cli, ["status"])
    assert script.exit_code == 1 and "kept in the OS keyring is wrong" in script.output

    monkeypatch.setattr(common, "interactive", lambda: True)
    asked = CliRunner().invoke(cli, ["status"], input=PASS + "\n")
    assert asked.exit_code == 0, asked.output
    assert "kept in the OS keyring is wrong" in asked.output and "Passphrase of the encrypted index" in asked.output
    assert memory_keyring.passwords[entry] == PASS, "the keyring holds the passphrase that works"
    assert CliRunner().invoke(cli, ["status"]).exit_code == 0, "and is used again without asking"

    monkeypatch.setenv("CAIRN_PASSPHRASE", "not it at all")
    from_env = CliRunner().invoke(cli, ["status"], input=PASS + "\n")
    assert from_env.exit_code == 0 and "CAIRN_PASSPHRASE is wrong" in from_env.output


CREATED = re.compile(r'^\d+\s+(?:openat\(AT_FDCWD, "([^"]+)", [A-Z_|]*O_CREAT[A-Z_|]*, (0\d+)\)'
                     r'|mkdir\("([^"]+)", (0\d+)\)) = \d+', re.MULTILINE)


@pytest.mark.skipif(not shutil.which("strace"), reason="needs strace")
def test_every_file_and_folder_is_created_private(tmp_path: Path, cairn_home: Path) -> None:
    """Private from the first moment, not made so a moment later: created 0644 then chmod-ed, a file can be
    opened by another user in between (and stays open to them), or stays 0644 if Cairn is killed there."""
    trace = tmp_path / "trace"
    env = {**os.environ, "CAIRN_HOME": str(cairn_home)}
    done = subprocess.run(["strace", "-f", "-qq", "-e", "trace=openat,mkdir", "-o", str(trace), sys.executable,
                           "-m", "engine.cli", "config", "set", "threads", "2"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    first: dict[str, str] = {}  # the call that created each path (later ones open what exists)
    for match in CREATED.finditer(trace.read_text()):
        path, mode = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        if path.startswith(str(cairn_home) + "/"):
            first.setdefault(path, mode)
    assert any(p.endswith("settings.tmp") for p in first), "the settings were saved (so the check means something)"
    assert {p: m for p, m in first.items() if int(m, 8) & 0o077} == {}


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="reads the process's limits from /proc (Linux)")
def test_cairn_itself_writes_no_core_file_when_it_crashes(tmp_path: Path, cairn_home: Path) -> None:
    """Its memory holds decrypted index pages, the passphrase and what was asked: a crash (in llama.cpp,
    say) under `ulimit -c unlimited` must not leave them in a core file in the current folder."""
    import resource

    def unlimited() -> None:  # as a developer's shell
        hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))

    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = {**os.environ, "CAIRN_HOME": str(cairn_home)}
    watcher = subprocess.Popen([sys.executable, "-m", "engine.cli", "watch"], cwd=cwd, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=unlimited)
    try:
        assert watcher.stdout is not None
        watcher.stdout.readline()  # it is running (and past its start-up)
        core_line = next(line for line in Path(f"/proc/{watcher.pid}/limits").read_text().splitlines()
                         if line.startswith("Max core file size"))
        assert core_line.split()[4:6] == ["0", "0"], core_line
        watcher.send_signal(signal.SIGSEGV)
        watcher.wait(timeout=60)
    finally:
        watcher.kill()
        watcher.wait(timeout=60)
    assert watcher.returncode == -signal.SIGSEGV
    assert list(cwd.iterdir()) == [], "no core file"
