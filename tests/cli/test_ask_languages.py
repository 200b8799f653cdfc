"""`cairn ask` in French over a French file, with the multilingual model chosen in the settings."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import cairn
from tests.multilingual_corpus import FILES

MODEL = Path(__file__).resolve().parents[2] / "engine" / "models" / "multilingual-e5-small.Q4_0.gguf"


def test_a_french_question_is_answered_from_the_french_file(tmp_path: Path) -> None:
    assert MODEL.is_file(), f"{MODEL} is missing: run setup.sh"
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in FILES.items():
        (docs / name).write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    cairn("config", "set", "embedding_model", str(MODEL), home=home)
    cairn("add", str(docs), home=home)
    cairn("index", home=home)
    out = cairn("ask", "Combien de temps faut-il laisser reposer la pâte à crêpes ?", home=home).stdout
    assert "Laissez reposer la pâte pendant une heure au réfrigérateur." in out and "recette-crepes.txt" in out, out
    answer = json.loads(cairn("ask", "Combien de temps faut-il laisser reposer la pâte à crêpes ?", "--json",
                              home=home).stdout)
    assert answer["kind"] == "extractive"
    refused = json.loads(cairn("ask", "Quelle est la capitale du Pérou ?", "--json", home=home).stdout)
    assert refused["kind"] == "refusal"
