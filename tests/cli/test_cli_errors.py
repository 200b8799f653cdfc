"""What a new user meets when something is off: a clear line and a non-zero exit, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cairn import Cairn
from engine.cli import cli, common
from engine.cli import folders as _registers_folders  # noqa: F401  (adds add/index/status to the command group)
from engine.cli import settings as _registers_config  # noqa: F401  (adds `config`)
from tests.cli.test_cli import cairn
from tests.fakes import FakeEmbedder


def clean_failure(proc: subprocess.CompletedProcess[str], code: int = 1) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    return proc.stderr


@pytest.mark.parametrize(("key", "value", "says"), [
    ("threads", "abc", "whole number"),
    ("threads", "2.5", "whole number"),
    ("read_memory_mb", "lots", "whole number"),
    ("max_file_mb", "big", "number"),
    ("max_file_mb", "-5", "more than 0"),
    ("read_timeout_s", "0", "more than 0"),
    ("threads", "-1", "0 or more"),
    ("answer_mode", "banana", "extractive or generative"),
])
def test_config_set_refuses_a_bad_value_with_a_message(key: str, value: str, says: str, cairn_home: Path) -> None:
    stderr = clean_failure(cairn("config", "set", key, value, home=cairn_home, check=False))
    assert stderr.startswith("Error: ") and says in stderr and key in stderr
    assert json.loads(cairn("config", "--json", home=cairn_home).stdout)[key] != value, "nothing was saved"


def test_config_set_names_its_keys_readably(cairn_home: Path) -> None:
    usage = cairn("config", "set", "--help", home=cairn_home).stdout
    assert "KEY VALUE" in usage and "answer_mode" in usage and "Examples:" in usage
    unknown = cairn("config", "set", "colour", "blue", home=cairn_home, check=False)
    assert unknown.returncode == 2 and "'colour' is not one of" in unknown.stderr


def test_a_hand_edited_settings_file_with_a_wrong_type_is_a_clear_error(tmp_path: Path, cairn_home: Path) -> None:
    (cairn_home / "config").mkdir(parents=True)
    (cairn_home / "config" / "settings.json").write_text('{"threads": "four"}')
    stderr = clean_failure(cairn("search", "anything", home=cairn_home, check=False))
    assert "settings.json" in stderr and "threads" in stderr


def test_a_home_that_cannot_be_created_is_a_clear_error(tmp_path: Path, cairn_home: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    stderr = clean_failure(cairn("--home", str(blocker / "home"), "status", home=cairn_home, check=False))
    assert stderr.startswith("Error: ") and str(blocker / "home") in stderr


def test_a_log_that_cannot_be_written_is_a_clear_error(cairn_home: Path) -> None:
    """As on a read-only home: the folders are there, nothing can be written in them."""
    (cairn_home / "data" / "cairn.log").mkdir(parents=True)
    stderr = clean_failure(cairn("status", home=cairn_home, check=False))
    assert stderr.startswith("Error: ") and "cairn.log" in stderr



def test_settings_that_cannot_be_saved_are_a_clear_error(cairn_home: Path) -> None:
    (cairn_home / "config" / "settings.tmp").mkdir(parents=True)  # where the new settings are written first
    stderr = clean_failure(cairn("config", "set", "threads", "2", home=cairn_home, check=False))
    assert stderr.startswith("Error: ") and "settings" in stderr


def test_a_full_disk_while_indexing_is_a_clear_error(tmp_path: Path, cairn_home: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own "database or disk is full" (max_page_count caps the real file where it is)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(40):
        (docs / f"note{i}.txt").write_text(f"Note {i}: " + "the tenancy deposit was returned in full. " * 200)

    class FullDisk(Cairn):
        def __init__(self, home: str | None, **kwargs: object) -> None:
            super().__init__(home, embedder=FakeEmbedder(), **kwargs)  # type: ignore[arg-type]
            pages = self.store.conn.execute("PRAGMA page_count").fetchone()[0]
            self.store.conn.execute(f"PRAGMA max_page_count = {pages + 40}")  # room for the tables, not the notes

    monkeypatch.setattr(common, "Cairn", FullDisk)
    runner = CliRunner()
    assert runner.invoke(cli, ["add", str(docs)]).exit_code == 0
    result = runner.invoke(cli, ["index"])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 1, result.exception
    assert "Error: " in result.output and "full" in result.output


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


INTERRUPT_AT_IMPORT = """
import sys
class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "engine.cairn":
            raise KeyboardInterrupt  # as if Ctrl+C came while Cairn was still starting
sys.meta_path.insert(0, Interrupt())
sys.argv = ["cairn", "status"]
from engine.cli import main
main()
"""

INTERRUPT_AT_EXIT = """
import atexit, os, signal, sys, time
atexit.register(lambda: (os.kill(os.getpid(), signal.SIGINT), time.sleep(1)))  # Ctrl+C while Cairn shuts down
sys.argv = ["cairn", "status"]
from engine.cli import main
main()
"""


def test_ctrl_c_while_starting_is_stopped_not_a_traceback(cairn_home: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", INTERRUPT_AT_IMPORT], capture_output=True, text=True, timeout=300)
    assert clean_failure(proc, 130).strip() == "Stopped."


def test_ctrl_c_while_shutting_down_is_not_a_traceback(cairn_home: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", INTERRUPT_AT_EXIT], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert "0 files" in proc.stdout, "the command itself ran to the end"


def test_search_in_a_folder_that_is_not_indexed_says_so(tmp_path: Path, cairn_home: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "cases").mkdir(parents=True)
    (docs / "cases" / "ruling.txt").write_text("The court ruled on the tenancy deposit.")
    cairn("add", str(docs), home=cairn_home)
    cairn("index", home=cairn_home)
    inside = json.loads(cairn("search", "tenancy", "--folder", str(docs / "cases"), "--json", home=cairn_home).stdout)
    assert [Path(r["path"]).name for r in inside] == ["ruling.txt"]
    stderr = clean_failure(cairn("search", "tenancy", "--folder", str(tmp_path / "casse"), home=cairn_home,
                                 check=False))
    assert "is not an indexed folder" in stderr and str(docs) in stderr


@pytest.mark.parametrize("command", ["add", "search", "ask", "forget", "config set"])
def test_the_main_commands_show_examples_that_fit_a_narrow_terminal(command: str, cairn_home: Path) -> None:
    env = {**os.environ, "CAIRN_HOME": str(cairn_home), "COLUMNS": "60"}
    out = subprocess.run([sys.executable, "-m", "engine.cli", *command.split(), "--help"], capture_output=True,
                         text=True, env=env, timeout=300).stdout
    examples = out[out.index("Examples:"):].splitlines()[1:]
    assert examples and all(line.startswith("    cairn " + command.split()[0]) for line in examples if line.strip())
    assert max(len(line) for line in out.splitlines()) <= 60, out


def test_the_command_list_says_what_each_command_does_in_full(cairn_home: Path) -> None:
    listing = cairn("--help", home=cairn_home).stdout.split("Commands:")[1]
    assert "..." not in listing, listing  # no description cut off mid-sentence


def test_a_first_search_says_how_to_add_a_folder(cairn_home: Path) -> None:
    assert "cairn add FOLDER" in cairn("search", "lease deposit", "--mode", "keyword", home=cairn_home).stdout
    assert "0 files, 0 passages in 0 folders" in cairn("status", home=cairn_home).stdout


def test_a_query_or_question_can_be_kept_out_of_the_process_list(tmp_path: Path, cairn_home: Path) -> None:
    """Arguments show in `ps` to every user and stay in shell history: "-" reads them from standard input."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lease.txt").write_text("The landlord keeps the security deposit until the flat is inspected.")
    env = {**os.environ, "CAIRN_HOME": str(cairn_home)}

    def run(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "engine.cli", *args], input=stdin, capture_output=True,
                              text=True, env=env, timeout=300)

    assert run("add", str(docs), stdin="").returncode == 0 and run("index", stdin="").returncode == 0
    found = run("search", "-", "--mode", "keyword", "--json", stdin="security deposit\n")
    assert found.returncode == 0 and [Path(r["path"]).name for r in json.loads(found.stdout)] == ["lease.txt"]
    answered = run("ask", "-", "--json", stdin="Who keeps the security deposit?\n")
    assert answered.returncode == 0 and json.loads(answered.stdout)["question"] == "Who keeps the security deposit?"
    assert "No query on standard input" in run("search", "-", stdin="  \n").stderr
    empty = run("search", "  ", stdin="")
    assert empty.returncode == 2 and "The query is empty" in empty.stderr  # was "No matches." and success
