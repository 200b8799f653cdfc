"""`cairn ask` as a person runs it: the answer with citations, refusals, JSON, the context shown, model errors."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.answer.chat import bundled_chat_model_path
from tests.cli.test_cli import cairn
from tests.corpus import write_corpus

needs_chat_model = pytest.mark.skipif(not bundled_chat_model_path().exists(),
                                      reason="run packaging/fetch_chat_model.py (setup.sh does)")
QUESTION = "When must the annual income declaration be filed?"
SENTENCE = "The annual income declaration must be filed with the revenue office before the end of April."


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("ask")
    docs = write_corpus(root / "docs")
    cairn("add", str(docs), home=root / "home")
    cairn("index", home=root / "home")
    yield root / "home"


def test_ask_has_help(home: Path) -> None:
    out = cairn("ask", "--help", home=home).stdout
    assert "Usage:" in out and "--show-context" in out and "--generate / --extractive" in out


def test_an_extractive_answer_cites_file_and_span(home: Path) -> None:
    out = cairn("ask", QUESTION, home=home).stdout
    lines = out.splitlines()
    assert lines[0] == f"{SENTENCE} [1]"
    source = next(line for line in lines if line.startswith("[1] "))
    assert source.endswith("tax-return.txt, chars 0-92")
    assert "Prompt given" not in out


def test_json_output_carries_the_whole_answer(home: Path) -> None:
    answer = json.loads(cairn("ask", QUESTION, "--json", "--limit", "3", home=home).stdout)
    assert answer["kind"] == "extractive" and answer["question"] == QUESTION
    assert answer["sentences"][0] == {"text": SENTENCE, "citations": [1], "supported": True, "spans": [[0, 92]]}
    assert len(answer["sources"]) <= 3 and Path(answer["sources"][0]["path"]).name == "tax-return.txt"
    assert answer["prompt"] is None and answer["text"] == f"{SENTENCE} [1]"


def test_sources_are_the_passages_the_answer_cites(home: Path) -> None:
    """A passage weighed and not used, listed under the answer, reads as if the answer drew on it."""
    out = cairn("ask", QUESTION, home=home).stdout
    answer = json.loads(cairn("ask", QUESTION, "--json", home=home).stdout)
    cited = {n for sentence in answer["sentences"] for n in sentence["citations"]}
    listed = {int(line[1:line.index("]")]) for line in out.splitlines() if re.match(r"\[\d+\] ", line)}
    others = len(answer["sources"]) - len(cited)
    assert listed == cited and others > 0
    assert f"{others} other passage{'s were' if others > 1 else ' was'} weighed and not cited" in out
    assert len(json.loads(cairn("ask", QUESTION, "--json", home=home).stdout)["sources"]) > len(cited), \
        "--json keeps every source: a program decides for itself"


def test_an_unrelated_question_is_refused_not_an_error(home: Path) -> None:
    proc = cairn("ask", "Who", "painted", "the", "Mona", "Lisa?", home=home)
    assert proc.stdout.splitlines()[0] == "I can't find this in your files."
    assert json.loads(cairn("ask", "Who painted the Mona Lisa?", "--json", home=home).stdout)["kind"] == "refusal"


def test_show_context_prints_the_passages_weighed(home: Path) -> None:
    out = cairn("ask", QUESTION, "--show-context", home=home).stdout
    assert "Passages weighed:" in out and "[1] tax-return.txt, chars 0-" in out
    assert "Attach receipts for deductible expenses" in out  # the whole passage, not only the quoted sentence
    assert "No chat model was used" in out


@needs_chat_model
def test_generate_prints_the_checked_answer_once_and_the_exact_prompt(home: Path) -> None:
    out = cairn("ask", QUESTION, "--generate", "--show-context", home=home).stdout
    answer = json.loads(cairn("ask", QUESTION, "--generate", "--json", home=home).stdout)
    shown = out.split("\nSources:")[0]
    first = answer["sentences"][0]["text"] if answer["kind"] == "extractive" else next(
        s["text"] for s in answer["sentences"] if s["supported"])
    assert shown.count(first) == 1  # printed once: no draft streamed before the checked answer
    assert answer["raw"] not in shown or answer["raw"].strip() == first  # the unchecked draft is not on screen
    for sentence in answer["sentences"]:
        assert sentence["supported"] or sentence["text"] not in shown
    assert "Sources:" in out and "tax-return.txt" in out
    assert "Prompt given to" in out and "<|im_start|>system" in out and f"Question: {QUESTION}" in out
    assert answer["prompt"] in out


def test_config_set_chat_model_checks_the_file_and_says_what_it_costs(home: Path, tmp_path: Path) -> None:
    refused = cairn("config", "set", "chat_model", str(tmp_path / "nothing.gguf"), home=home, check=False)
    assert refused.returncode == 1 and "does not exist" in refused.stderr and "Traceback" not in refused.stderr
    (tmp_path / "notes.gguf").write_text("not a model", encoding="utf-8")
    refused = cairn("config", "set", "chat_model", str(tmp_path / "notes.gguf"), home=home, check=False)
    assert refused.returncode == 1 and "not a GGUF model" in refused.stderr
    assert "chat_model = (default)" in cairn("config", home=home).stdout  # nothing was changed


@needs_chat_model
def test_a_missing_chat_model_is_a_clear_error_and_extractive_still_works(home: Path, tmp_path: Path) -> None:
    model = tmp_path / "gone.gguf"
    model.write_bytes(bundled_chat_model_path().read_bytes())
    accepted = cairn("config", "set", "chat_model", str(model), home=home).stdout
    assert re.search(r"needs about [\d.]+ GB of memory and writes about \d+ tokens/s here \(estimated\)", accepted)
    model.unlink()  # the file went away after it was chosen
    try:
        failed = cairn("ask", QUESTION, "--generate", home=home, check=False)
        assert failed.returncode == 1 and failed.stderr.startswith("Error: Chat model")
        assert "gone.gguf does not exist" in failed.stderr and "Traceback" not in failed.stderr
        assert cairn("ask", QUESTION, "--extractive", home=home).stdout.startswith(SENTENCE)
        refused = cairn("ask", "Who painted the Mona Lisa?", "--generate", home=home)  # no model needed to refuse
        assert refused.stdout.startswith("I can't find this in your files.")
    finally:
        cairn("config", "set", "chat_model", "default", home=home)
