"""Claim-level checking: each rule in English, German and French, and the two reported failures (issue 23).

The rules (engine/answer/claims.py) are unit-tested on sentence pairs: a claim and the passage
that makes it in another form is supported, the same claim altered (a number, a date, "every"
for "once", a lost "not") is not. The reported failures run with the real bundled chat model
over a real lease folder: no false sentence reaches the output, and the fallback quotes the
deposit sentence, not the contract's title.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.answer import AnswerToken
from engine.answer.answerer import FALLBACK_NOTE
from engine.answer.chat import ChatModel, bundled_chat_model_path
from engine.answer.claims import canonical_number, claims_of, is_absence, same_polarity
from engine.answer.text import sentence_spans
from engine.cairn import Cairn
from engine.progress import run_to_result


def supported(claim: str, passage: str) -> bool:
    return not claims_of(claim).missing_from(claims_of(passage, claim=False))


# ---------------------------------------------------------------- numbers, words and digits

@pytest.mark.parametrize("claim, passage", [
    ("The tenant must give 90 days' notice.", "The tenant gives ninety days' written notice."),  # en
    ("Der Mieter muss 90 Tage vorher kündigen.", "Die Kündigungsfrist beträgt neunzig Tage."),  # de
    ("Le préavis est de 90 jours.", "Le locataire donne un préavis de quatre-vingt-dix jours."),  # fr
    ("The deposit is 1200 euros.", "The deposit is €1,200."),
    ("Die Kaution beträgt 2000 Euro.", "Die Kaution beträgt 2.000 €."),
    ("La caution est de 1200 euros.", "La caution est de mille deux cents euros."),
    ("It may be renewed for five years.", "It may be renewed for a further 5 years."),
])
def test_a_number_in_words_or_digits_is_the_same_number(claim: str, passage: str) -> None:
    assert supported(claim, passage)


@pytest.mark.parametrize("claim, passage", [
    ("The deposit for the flat is 2.00 euros.", "Die Kaution beträgt 2.000 Euro."),  # the reported one
    ("The tenant must give 60 days' notice.", "The tenant gives ninety days' written notice."),
    ("Die Kaution beträgt drei Monatsmieten.", "Die Kaution beträgt zwei Monatsmieten."),
    ("Le préavis est de trois mois.", "Le préavis est de deux mois."),
    ("The deposit is $1,200.", "The deposit is €1,200."),  # another currency
])
def test_an_altered_number_or_currency_is_not_supported(claim: str, passage: str) -> None:
    assert not supported(claim, passage)


@pytest.mark.parametrize("claim, passage", [
    ("The deposit is 2.00 euros.", "Mietvertrag Lindenstraße 12, 2. OG. Die Kaution beträgt 2.000 Euro."),
    ("The notice period is 90 weeks.", "The tenant gives 90 days' notice."),
    ("Die Frist beträgt 90 Wochen.", "Die Frist beträgt neunzig Tage."),
    ("Le préavis est de 90 semaines.", "Le préavis est de quatre-vingt-dix jours."),
])
def test_a_number_counts_only_with_its_currency_or_unit(claim: str, passage: str) -> None:
    """The number is in the passage ("2. OG", "90 days"), but not as the amount the sentence claims."""
    assert not supported(claim, passage)


@pytest.mark.parametrize("raw, value", [("1,200", "1200"), ("1.200", "1200"), ("2.00", "2"), ("2,5", "2.5"),
                                        ("1.200,50", "1200.5"), ("1,200.50", "1200.5"), ("1'200", "1200"),
                                        ("2.000", "2000"), ("90", "90")])
def test_numbers_are_read_as_a_reader_reads_their_separators(raw: str, value: str) -> None:
    assert canonical_number(raw) == value


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("claim", ["The lease ends on 31 March 2027.", "The lease ends on March 31, 2027.",
                                   "The lease ends on 2027-03-31.", "Der Vertrag endet am 31. März 2027.",
                                   "Der Vertrag endet am 31.03.2027.", "Le bail se termine le 31 mars 2027.",
                                   "Le bail se termine le 31/03/2027."])
def test_a_date_in_any_usual_form_is_the_same_date(claim: str) -> None:
    assert claims_of(claim).dates == {"2027-03-31"}
    assert supported(claim, "Term: 1 April 2022 to 31.03.2027.")
    assert not supported(claim, "Term: 1 April 2022 to 30.03.2027.")


def test_a_day_and_month_without_a_year_stand_on_the_full_date() -> None:
    assert supported("It ends on 31 March.", "It ends on 31 March 2027.")
    assert not supported("It ends on 30 March.", "It ends on 31 March 2027.")
    assert supported("It ends in 2027.", "It ends on 31 March 2027.")


# ---------------------------------------------------------------- how often

@pytest.mark.parametrize("claim, passage", [
    ("The lease may be renewed every five years.", "It may be renewed once, for a further five years."),
    ("Der Vertrag kann jedes Jahr verlängert werden.", "Der Vertrag kann einmal um ein Jahr verlängert werden."),
    ("Le bail peut être renouvelé chaque année.", "Le bail peut être renouvelé une fois pour un an."),
    ("The boiler is serviced twice a year.", "The boiler is serviced once a year."),
    ("Die Heizung wird zweimal geprüft.", "Die Heizung wird einmal geprüft."),
    ("La chaudière est révisée deux fois.", "La chaudière est révisée une fois."),
])
def test_once_is_not_every_and_twice_is_not_once(claim: str, passage: str) -> None:
    assert not supported(claim, passage)
    assert supported(passage, passage)


@pytest.mark.parametrize("claim, passage", [
    ("Check the tyre pressure once a month.", "Check tyre pressure monthly."),  # a rate: how often, not once
    ("Der Reifendruck wird einmal im Monat geprüft.", "Der Reifendruck wird monatlich geprüft."),
    ("La pression est vérifiée une fois par mois.", "La pression est vérifiée chaque mois."),
    ("It may be renewed once.", "It may be renewed one time only."),
    ("Der Vertrag kann einmal verlängert werden.", "Eine Verlängerung ist einmalig möglich."),
    ("Le bail peut être renouvelé une fois.", "Le bail peut être renouvelé une seule fois."),
])
def test_once_said_another_way_is_once(claim: str, passage: str) -> None:
    assert supported(claim, passage)


# ---------------------------------------------------------------- polarity

@pytest.mark.parametrize("claim, source", [
    ("The tenant may sublet the flat.", "The tenant may not sublet the flat."),
    ("The tenant can keep a cat.", "The tenant cannot keep pets."),
    ("Der Mieter darf untervermieten.", "Der Mieter darf nicht untervermieten."),
    ("Haustiere sind erlaubt.", "Es sind keine Haustiere erlaubt."),
    ("Le locataire peut sous-louer.", "Le locataire ne peut pas sous-louer."),
    ("Les animaux sont autorisés.", "Aucun animal n'est autorisé."),
])
def test_a_lost_or_added_negation_is_another_claim(claim: str, source: str) -> None:
    assert not same_polarity(claim, source) and not same_polarity(source, claim)
    assert same_polarity(source, source)


@pytest.mark.parametrize("text", ["It does not specify when this renewal will occur.",
                                  "The lease doesn't mention the deposit.", "Die Höhe ist nicht angegeben.",
                                  "Le contrat ne précise pas la date."])
def test_a_sentence_saying_the_files_are_silent_is_an_absence_claim(text: str) -> None:
    assert is_absence(text)
    assert not is_absence("The tenant gives 90 days' notice.")


# ---------------------------------------------------------------- sentences of the fallback

def test_a_house_number_and_floor_do_not_end_a_sentence_and_a_title_line_does() -> None:
    text = "Mietvertrag Lindenstraße 12, 2. OG\nDie Kaution beträgt 2.000 Euro. Sie liegt im 3. Stock."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Mietvertrag Lindenstraße 12, 2. OG", "Die Kaution beträgt 2.000 Euro.", "Sie liegt im 3. Stock."]


# ---------------------------------------------------------------- the reported failures, real models

ENGLISH_LEASE = """Residential Lease Agreement
This lease is made between Margaret Hale, the landlord, and Tom Price, the tenant, for the flat at 4 Elm Row.
The term of the lease is five years, starting on 1 April 2022 and ending on 31 March 2027.
It may be renewed once, for a further five years, provided the tenant gives the landlord 90 days' written notice before the end date.
The monthly rent is 1,150 pounds, payable on the first day of each month.
The tenant may not sublet the flat without the landlord's written consent.
"""
GERMAN_LEASE = """Mietvertrag Lindenstraße 12, 2. OG
Zwischen Frau Anna Becker (Vermieterin) und Herrn Jonas Weber (Mieter) wird folgender Mietvertrag geschlossen.
Vermietet wird die Wohnung Lindenstraße 12, 2. OG links, 10115 Berlin, mit drei Zimmern.
Die monatliche Kaltmiete beträgt 1.000 Euro und ist bis zum dritten Werktag eines jeden Monats zu zahlen.
Der Mieter leistet eine Kaution in Höhe von 2.000 Euro, das sind zwei Monatskaltmieten.
Die Kaution wird innerhalb von sechs Monaten nach dem Auszug zurückgezahlt.
"""
RENEWAL = "What does the lease say about renewing?"
DEPOSIT = "Wie hoch ist die Kaution für die Wohnung?"
needs_chat_model = pytest.mark.skipif(not bundled_chat_model_path().exists(),
                                      reason="run packaging/fetch_chat_model.py (setup.sh does)")


@pytest.fixture(scope="module")
def leases(tmp_path_factory: pytest.TempPathFactory, e5: Any) -> Iterator[Cairn]:
    root = tmp_path_factory.mktemp("leases")
    (root / "docs").mkdir()
    (root / "docs" / "lease-elm-row.txt").write_text(ENGLISH_LEASE, encoding="utf-8")
    (root / "docs" / "mietvertrag-lindenstrasse.txt").write_text(GERMAN_LEASE, encoding="utf-8")
    cairn = Cairn(root / "home", embedder=e5)
    cairn.add_folder(root / "docs")
    for _ in cairn.index():
        pass
    yield cairn
    cairn.close()


def ask(cairn: Cairn, question: str) -> tuple[list[AnswerToken], Any]:
    tokens: list[AnswerToken] = []
    return tokens, run_to_result(cairn.ask(question, generative=True), tokens.append)


def assert_nothing_unchecked_shown(tokens: list[AnswerToken], answer: Any) -> None:
    """Text reaches a client only in checked, supported sentences: progress tokens carry none."""
    assert all(t.text == "" for t in tokens if t.kind == "progress")
    shown = "".join(t.text for t in tokens if t.kind != "progress")
    assert shown == answer.text
    for sentence in answer.sentences:
        if not sentence.supported:
            assert sentence.text not in shown


@needs_chat_model
def test_the_reported_renewal_answer_is_not_shown_and_the_lease_sentence_is_quoted(
        leases: Cairn, monkeypatch: pytest.MonkeyPatch) -> None:
    def reported(self: ChatModel, prompt: str, *, max_tokens: int, cancel: Any = None) -> Iterator[str]:
        yield from ["The lease states that the tenant may renew their lease every five years, ",
                    "but it does not specify when this renewal will occur [1]."]

    monkeypatch.setattr(ChatModel, "stream", reported)
    tokens, answer = ask(leases, RENEWAL)
    assert_nothing_unchecked_shown(tokens, answer)
    assert answer.kind == "extractive" and answer.note == FALLBACK_NOTE
    assert "renewed once, for a further five years" in answer.text and "every" not in answer.text


@needs_chat_model
def test_the_reported_deposit_answer_is_not_shown_and_the_deposit_sentence_is_quoted(
        leases: Cairn, monkeypatch: pytest.MonkeyPatch) -> None:
    def reported(self: ChatModel, prompt: str, *, max_tokens: int, cancel: Any = None) -> Iterator[str]:
        yield "The deposit for the flat on Lindenstraße is 2.00 euros."

    monkeypatch.setattr(ChatModel, "stream", reported)
    tokens, answer = ask(leases, DEPOSIT)
    assert_nothing_unchecked_shown(tokens, answer)
    assert answer.kind == "extractive" and answer.note == FALLBACK_NOTE
    assert answer.sentences[0].text == "Der Mieter leistet eine Kaution in Höhe von 2.000 Euro, das sind zwei Monatskaltmieten."
    assert "Mietvertrag Lindenstraße" not in answer.text and "2.00 " not in answer.text


@needs_chat_model
@pytest.mark.parametrize("question", [RENEWAL, DEPOSIT])
def test_what_the_bundled_model_writes_about_the_leases_shows_no_false_sentence(leases: Cairn, question: str) -> None:
    tokens, answer = ask(leases, question)
    assert answer.raw  # the real model wrote an answer
    assert any(t.kind == "progress" and t.tokens > 0 for t in tokens)
    assert_nothing_unchecked_shown(tokens, answer)
    passages = {s.n: s.text for s in answer.sources}
    for sentence in answer.sentences:
        if sentence.supported:
            assert not is_absence(sentence.text) and "every" not in sentence.text.lower()
            for n in sentence.citations:
                assert not claims_of(sentence.text).missing_from(claims_of(passages[n], claim=False))
    # Not asserted: that the shown sentence answers the question. SmolLM2 quoted the English lease's
    # term for the German deposit question (true, cited, not the answer): a known gap (docs/answers.md).
