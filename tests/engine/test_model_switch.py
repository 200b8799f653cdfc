"""Which embedding model an index gets, and switching it: real files, the real index, the real bundled
models (all-MiniLM-L6-v2 and multilingual-e5-small), loaded by Cairn itself from its settings.

A person whose files are in German should not have to know what an embedding model is: under a German
system language a new index takes the multilingual model and `cairn status` says why; an English index
of mostly German files is offered the switch, and switching re-embeds so that search works after it
(while it re-embeds, and after a kill -9 halfway: tests/engine/test_reembed.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cairn import Cairn
from engine.cli import cli
from engine.cli import folders, settings  # noqa: F401  (registers `status`, `reindex`, `config`)
from engine.embed import ModelChoice, choose, suggestion, system_language

DOCTOR = ("Arztbrief. Sehr geehrte Frau Kollegin, wir berichten über Ihren Patienten Herrn Jonas Weber, der sich "
          "am 3. März mit seit einer Woche bestehenden Schmerzen im unteren Rücken vorstellte, ausstrahlend in das "
          "linke Bein. Diagnose: akute Lumbago ohne neurologische Ausfälle. Wir haben Ibuprofen 400 mg dreimal "
          "täglich verordnet, Wärme und leichte Bewegung empfohlen und ihn bis zum 14. März krankgeschrieben.")
LEASE = ("Mietvertrag über die Wohnung in der Lindenstraße 12, Berlin. Der Mieter leistet eine Kaution in Höhe von "
         "drei Nettokaltmieten. Die Kaution wird nach dem Auszug innerhalb von sechs Monaten zurückgezahlt.")
HOLIDAY = ("Urlaub am Gardasee: Nach dem Frühstück fahren wir mit dem Rad nach Malcesine, am Nachmittag mit dem "
           "Schiff nach Riva. Die Nachbarin gießt die Blumen und leert den Briefkasten.")
RECIPE = ("Zwetschgenkuchen nach dem Rezept meiner Großmutter: 500 g Mehl, 250 ml Milch, ein Würfel Hefe. Den Teig "
          "ausrollen, mit Zwetschgen belegen und nach dem Backen mit Zimt und Zucker bestreuen.")
CAR = ("Rechnung der Autowerkstatt Müller: Ölwechsel, neue Bremsbeläge vorne und Austausch der Scheibenwischer. "
       "Gesamtbetrag 412,80 Euro, zahlbar innerhalb von vierzehn Tagen.")
SCHOOL = ("Elternbrief der Grundschule am Park: Der Ausflug der Klasse 3b in den Zoo findet am Freitag statt. Bitte "
          "geben Sie Ihrem Kind ein Lunchpaket und wetterfeste Kleidung mit.")
GARDEN = ("Garden notes: the tomatoes went in after the last frost. Water them every evening in July and feed them "
          "with comfrey tea once a week.")
FILES = {"arztbrief.txt": DOCTOR, "mietvertrag.txt": LEASE, "urlaub.txt": HOLIDAY, "kuchen.txt": RECIPE,
         "werkstatt.txt": CAR, "elternbrief.txt": SCHOOL, "garden.txt": GARDEN}
QUESTION = "what did the doctor say about my back pain"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in FILES.items():
        (docs / name).write_text(text, encoding="utf-8")
    return docs


def indexed(home: Path, folder: Path) -> Cairn:
    cairn = Cairn(home)
    cairn.add_folder(folder)
    for _ in cairn.index():
        pass
    return cairn


def close(cairn: Cairn) -> None:
    cairn.embedder.close()  # type: ignore[attr-defined]  # a LlamaEmbedder: free its contexts now
    cairn.close()


def top(cairn: Cairn, query: str, mode: str = "semantic") -> str:
    return Path(cairn.search(query, mode=mode, limit=3)[0].path).name  # type: ignore[arg-type]


def status_text(home: Path) -> str:
    result = CliRunner().invoke(cli, ["--home", str(home), "status"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.model
def test_german_locale_gives_a_new_index_the_multilingual_model(folder: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    home = tmp_path / "home"
    cairn = indexed(home, folder)
    try:
        status = cairn.status()
        assert status.model is not None and status.model.startswith("multilingual-e5-small")
        assert status.model_choice == "multilingual"
        assert "de" in (status.model_reason or "")
        assert status.suggestion is None
        assert top(cairn, QUESTION) == "arztbrief.txt"  # an English question, a German letter, by meaning
    finally:
        close(cairn)
    text = status_text(home)
    assert "Model choice: multilingual (multilingual-e5-small) (the system language is de, not English)" in text
    shown = json.loads(CliRunner().invoke(cli, ["--home", str(home), "status", "--json"]).output)
    assert shown["model_choice"] == "multilingual" and "de" in shown["model_reason"]


@pytest.mark.model
def test_the_choice_stays_with_the_index_when_the_locale_changes(folder: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    home = tmp_path / "home"
    close(indexed(home, folder))
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    with Cairn(home) as cairn:
        assert cairn.model_choice().model == "multilingual"  # its vectors are e5's: no silent mismatch


@pytest.mark.model
def test_mostly_german_first_files_give_a_new_index_the_multilingual_model(folder: Path, tmp_path: Path) -> None:
    cairn = indexed(tmp_path / "home", folder)  # English locale (tests/conftest.py), German files
    try:
        status = cairn.status()
        assert status.model_choice == "multilingual"
        assert "first files" in (status.model_reason or "")
        assert top(cairn, QUESTION) == "arztbrief.txt"
    finally:
        close(cairn)


def english_index_of_german_files(home: Path, folder: Path) -> Cairn:
    """Indexed first when it held only English notes, then the German files came."""
    german = {name: (folder / name).read_text("utf-8") for name in FILES if name != "garden.txt"}
    for name in german:
        (folder / name).unlink()
    close(indexed(home, folder))
    for name, text in german.items():
        (folder / name).write_text(text, encoding="utf-8")
    cairn = Cairn(home)
    for _ in cairn.index():
        pass
    return cairn


@pytest.mark.model
def test_switching_an_english_index_to_multilingual_reembeds_and_search_works(
        folder: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    cairn = english_index_of_german_files(home, folder)
    try:
        status = cairn.status()
        assert status.model_choice == "english" and status.model is not None
        assert status.model.startswith("all-MiniLM-L6-v2")
        assert status.suggestion is not None and "multilingual" in status.suggestion  # mostly German passages
    finally:
        close(cairn)
    assert "Suggestion: " in status_text(home)

    result = CliRunner().invoke(cli, ["--home", str(home), "config", "set", "embedding_model", "multilingual"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["--home", str(home), "reindex"])
    assert result.exit_code == 0, result.output
    assert f"{len(FILES)} unchanged" in result.output  # no file read again: only the vectors change

    cairn = Cairn(home)
    try:
        status = cairn.status()
        assert status.model is not None and status.model.startswith("multilingual-e5-small")
        assert (status.model_choice, status.model_reason) == ("multilingual", "chosen in the settings")
        assert status.chunks >= len(FILES)
        assert status.suggestion is None
        assert top(cairn, QUESTION) == "arztbrief.txt"
        assert top(cairn, "Kaution zurück nach dem Auszug", "hybrid") == "mietvertrag.txt"
    finally:
        close(cairn)


# ----------------------------------------------------------------------- the rules, on their own

@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "de_DE.UTF-8"}, "de"), ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
    ({"LANG": "C.UTF-8"}, None), ({"LANG": "POSIX"}, None), ({"LANG": "pt_BR@euro"}, "pt"), ({"LANG": "en"}, "en"),
])
def test_system_language(environ: dict[str, str], expected: str | None) -> None:
    assert system_language(environ) == expected


def test_choose_prefers_the_setting_then_the_index_then_the_locale() -> None:
    assert choose("english", "multilingual", "x", "de") == ModelChoice("english", "chosen in the settings")
    assert choose(None, "english", "the system language is English", "de").model == "english"
    assert choose(None, None, None, "ja").model == "multilingual"
    assert choose(None, None, None, "en").model == "english"
    assert choose(None, None, None, None).model == "english"
    assert choose(None, None, None, "en", {"de": 12, "en": 3}).model == "multilingual"
    assert choose(None, None, None, "en", {"de": 2, "en": 1}).model == "english"  # too little to go by


def test_suggestion_only_for_an_english_index_of_mostly_other_languages() -> None:
    assert suggestion("english", {"de": 30, "en": 10, None: 4}) is not None
    assert suggestion("english", {"de": 10, "en": 30}) is None
    assert suggestion("multilingual", {"de": 40}) is None
    assert suggestion("english", {"de": 3}) is None  # too few passages to say
