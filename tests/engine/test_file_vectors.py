"""A file about the query as a whole outranks a file that touches it in one passage.

Semantic and hybrid search add a share of the cosine between the query and the passage's
file (the mean of its passages' vectors) to the passage's own; these tests check that it
changes the order the way a person expects, that the file vector follows edits, deletions
and re-indexing, and that an index built before file vectors existed gets them on open.
Real bundled model, real files, real SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

import engine.search.ranking
from engine.cairn import Cairn
from engine.store.migrations import mean_direction

QUERY = "how to care for a sourdough starter"
CARE = (
    "You keep the starter in a glass jar, and every day you throw away half of it and feed the rest "
    "with equal weights of flour and lukewarm water. It should double within a few hours and smell "
    "pleasantly sour. If you go away, keep the starter in the fridge and feed it once a week; a "
    "spoonful of dried starter in the freezer is a good spare in case it dies."
)
STARTER = [
    (
        "A starter is a colony of wild yeasts and lactic bacteria living in a paste of flour and "
        "water. It takes about a week to establish one from scratch: mix a little wholemeal flour "
        "with water, cover the jar loosely and wait for the first bubbles, then begin regular "
        "feedings. The first days often smell strange, even cheesy; that passes as the useful "
        "microbes take over."
    ),
    CARE,
    (
        "Rye and wholemeal flours feed a starter better than white flour, because they carry more of "
        "the nutrients and wild yeasts it lives on. Many bakers feed with a mix of white and rye. "
        "Chlorinated tap water can slow a young starter down; leaving the water out overnight or "
        "using filtered water helps."
    ),
    (
        "A hungry starter collects a layer of grey liquid on top, called hooch, and smells of nail "
        "polish remover. Pour the liquid off, feed the starter twice a day for a few days, and keep "
        "it somewhere warm. A pink or orange tinge, on the other hand, means it is spoiled and should"
        " be thrown away."
    ),
]
DIARY = [
    (
        "Monday. The plumber finally came and replaced the leaking valve under the bathroom sink. He "
        "also looked at the boiler and said it needs a proper service before winter, because the "
        "pressure keeps dropping and the pilot light went out twice last month. I booked the service "
        "for the second week of next month and paid the deposit. In the afternoon I cleared out the "
        "garage, took three boxes of old paperwork to the shredder and finally threw away the broken "
        "lawnmower."
    ),
    (
        "Tuesday. A long meeting about the quarterly budget took the whole morning. Travel costs are "
        "up again, and the finance team wants us to cut two of the three conference trips planned for"
        " the spring. We agreed to send one person to the largest conference and to follow the others"
        " online. I drafted the summary for the board in the evening and sent it to my manager for "
        "comments before the Friday deadline."
    ),
    "Wednesday. Anna showed me how to care for a sourdough starter. " + CARE,
    (
        "Thursday. I took the car in for new brake pads and a tyre rotation. The mechanic warned that"
        " the timing belt is due at the next service, which will not be cheap, and that the rear "
        "wipers should be replaced before the rainy season. While I waited I walked to the library "
        "and renewed the two books on local history that are now three weeks overdue. The fine was "
        "small, but I should set a reminder next time."
    ),
    (
        "Friday. I filed the tax return at last, two days before the deadline. The pension "
        "contributions brought the bill down more than I expected, and the refund from last year's "
        "overpayment should arrive within a month. In the evening we went to the cinema for the first"
        " time in ages and then had dinner at the new place by the river, which was loud but very "
        "good."
    ),
]


def _index(cairn: Cairn) -> None:
    for _ in cairn.index():
        pass


@pytest.fixture()
def notes(tmp_path: Path, real_embedder) -> Iterator[tuple[Cairn, Path]]:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "starter.txt").write_text("\n\n".join(STARTER))
    (folder / "diary.txt").write_text("\n\n".join(DIARY))
    cairn = Cairn(tmp_path / "home", embedder=real_embedder)
    cairn.add_folder(folder)
    _index(cairn)
    yield cairn, folder
    cairn.close()


def _first(cairn: Cairn) -> str:
    return Path(cairn.search(QUERY, mode="semantic", limit=2)[0].path).name


def test_the_file_about_the_query_comes_before_a_diary_that_mentions_it(notes, monkeypatch) -> None:
    cairn, _ = notes
    monkeypatch.setattr(engine.search.ranking, "FILE_WEIGHT", 0.0)
    assert _first(cairn) == "diary.txt", "precondition: the diary holds the single closest passage"
    monkeypatch.undo()
    assert _first(cairn) == "starter.txt"


def _stored_and_expected(cairn: Cairn) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    store = cairn.store
    rows = store.conn.execute("SELECT file_id, id FROM chunks ORDER BY file_id, seq").fetchall()
    expected = {}
    for file_id in {r[0] for r in rows}:
        _, matrix = store.exact_vectors([r[1] for r in rows if r[0] == file_id])
        expected[file_id] = mean_direction(matrix)
    all_files = [r[0] for r in store.conn.execute("SELECT id FROM files")]
    return store.file_vectors(all_files), expected


def _assert_consistent(cairn: Cairn) -> None:
    stored, expected = _stored_and_expected(cairn)
    assert stored.keys() == expected.keys()
    for file_id, vector in expected.items():
        assert np.allclose(stored[file_id], vector, atol=1e-6)


def test_file_vectors_follow_edits_and_deletions(notes) -> None:
    cairn, folder = notes
    _assert_consistent(cairn)
    (folder / "diary.txt").write_text("\n\n".join(d for d in DIARY if "sourdough" not in d))
    _index(cairn)
    _assert_consistent(cairn)
    (folder / "starter.txt").unlink()
    _index(cairn)
    _assert_consistent(cairn)
    assert len(cairn.store.file_vectors(r[0] for r in cairn.store.conn.execute("SELECT id FROM files"))) == 1


def test_an_index_from_before_file_vectors_gets_them_when_opened(notes, tmp_path: Path, real_embedder) -> None:
    cairn, _ = notes
    before, _ = _stored_and_expected(cairn)
    cairn.store.conn.execute("DROP TABLE file_vectors; DELETE FROM migrations WHERE name = 'm003_file_vectors'")
    cairn.close()
    with Cairn(tmp_path / "home", embedder=real_embedder) as reopened:
        after, _ = _stored_and_expected(reopened)
        assert after.keys() == before.keys() and len(after) == 2
        assert all(np.allclose(after[f], before[f], atol=1e-6) for f in before)
        assert _first(reopened) == "starter.txt"
