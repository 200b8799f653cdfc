"""`cairn eval`: a labelled set in the BEIR layout is indexed through the normal pipeline and scored.

The fixture is written so that keyword search's rankings follow from the words alone
(each query's words occur only where stated), which makes every keyword figure
computable by hand; the semantic and hybrid runs use the real bundled model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.cli import evaluate as _registers_eval  # noqa: F401  (adds `eval` to the command group)
from engine.evaluate import EvaluationError, load_dataset, mrr_at_k, ndcg_at_k, recall_at_k, with_at_most

LIGHTHOUSE_SHORT = [
    "The lighthouse keeper climbed the lighthouse stairs; the lighthouse lamp was lit at dusk.",
    "A lighthouse on the cliff, a lighthouse on the pier: two lighthouse towers guard the bay.",
    "Painting the lighthouse red and white, the crew repainted every lighthouse on the coast.",
    "Our lighthouse tour visited the oldest lighthouse and a lighthouse museum.",
    "Storm waves hit the lighthouse; the lighthouse stood, as a lighthouse should.",
    "The lighthouse fog horn sounded; near the lighthouse, lighthouse birds nested.",
    "Lighthouse lenses focus light; a lighthouse lens from the lighthouse workshop.",
    "She bought a lighthouse postcard at the lighthouse shop beside the lighthouse.",
    "Lighthouse keepers wrote logs; a lighthouse log from a lighthouse in Maine.",
    "The lighthouse beam swept the harbour, lighthouse after lighthouse along the shore.",
    "Models of a lighthouse: a wooden lighthouse and a brass lighthouse on a shelf.",
]

CORPUS = [
    {"_id": "volcano", "title": "Volcanoes",
     "text": "Magma rises through the crust and a volcano erupts, pouring lava down its slopes."},
    {"_id": "bread", "title": "Baking",
     "text": "Sourdough needs a starter, flour, water and salt, and a long slow rise before baking."},
    {"_id": "chess", "title": "Openings",
     "text": "The queen's gambit offers a pawn for quick development and control of the centre squares."},
    {"_id": "bees", "title": "",
     "text": "Honeybees dance to tell the hive where nectar is found and how far away it lies."},
    {"_id": "tides", "title": "",
     "text": "The moon's gravity pulls the oceans into bulges, which is why coasts see two tides a day."},
    {"_id": "keeper", "title": "An old coastal job",
     "text": "For decades my grandfather tended the lighthouse at the end of the point. He trimmed wicks, "
             "polished brass, recorded passing ships and the weather in his ledger every night, repaired "
             "the roof after winter gales, rowed to the village for supplies once a fortnight, and raised "
             "six children in the small cottage behind the tower, far from any school or doctor."},
    *({"_id": f"lh{n}", "title": "", "text": text} for n, text in enumerate(LIGHTHOUSE_SHORT)),
]

QUERIES = {
    "q-volcano": "volcano lava",  # only `volcano` has these words; judged relevant: rank 1
    "q-bread": "sourdough starter",  # only `bread` has them, but `chess` is judged relevant: nothing found
    "q-bees": "honeybees hive",  # only `bees` (grade 1) has them; `tides` (grade 2) is relevant too
    "q-keeper": "lighthouse",  # 12 documents match; the judged `keeper` has it once in a long text: 12th
}
QRELS = [("q-volcano", "volcano", 1), ("q-bread", "chess", 1), ("q-bees", "tides", 2), ("q-bees", "bees", 1),
         ("q-keeper", "keeper", 1)]


def write_set(folder: Path, corpus: list[dict[str, str]] = CORPUS, queries: dict[str, str] = QUERIES,
              qrels: list[tuple[str, str, int]] = QRELS) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("".join(json.dumps(d) + "\n" for d in corpus), encoding="utf-8")
    (folder / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in queries.items()), encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q}\t{d}\t{g}\n" for q, d, g in qrels), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- metrics by hand


def test_ndcg_of_a_tiny_ranking_matches_the_hand_computation() -> None:
    judged = {"a": 2, "b": 1, "c": 1, "x": 0}
    ranking = ["x", "a", "y", "b", "a"]  # "a" again at 5: counted once, at its best rank
    # DCG  = 2/log2(3) + 1/log2(5)             = 1.261860 + 0.430677 = 1.692537
    # IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.630930 + 0.5  = 3.130930
    assert ndcg_at_k(ranking, judged, 10) == pytest.approx(1.692537 / 3.130930, abs=1e-6)
    # cut at 3: DCG = 1.261860, IDCG = 3.130930
    assert ndcg_at_k(ranking, judged, 3) == pytest.approx(1.261860 / 3.130930, abs=1e-6)
    assert recall_at_k(ranking, judged, 2) == pytest.approx(1 / 3)
    assert recall_at_k(ranking, judged, 10) == pytest.approx(2 / 3)
    assert mrr_at_k(ranking, judged, 10) == 0.5
    assert mrr_at_k(ranking, judged, 1) == 0.0
    assert ndcg_at_k(["a", "b", "c"], judged, 10) == pytest.approx(1.0)


# ---------------------------------------------------------------- the command, end to end

KEYWORD = {  # per query: nDCG@10, R@10, R@100, MRR@10
    "q-volcano": (1.0, 1.0, 1.0, 1.0),
    "q-bread": (0.0, 0.0, 0.0, 0.0),
    "q-bees": (1 / (2 + 1 / math.log2(3)), 0.5, 0.5, 1.0),  # bees (1) at 1, tides (2) missing: 1/2.6309
    "q-keeper": (0.0, 0.0, 1.0, 0.0),  # keeper at 12: past 10, within 100
}


def test_cairn_eval_reports_hand_checked_figures(tmp_path: Path) -> None:
    data = write_set(tmp_path / "set")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "eval", str(data), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["documents"], report["queries"], report["failed_files"]) == (len(CORPUS), 4, 0)
    assert report["passages"] == len(CORPUS)  # every document is one short passage
    assert list(report["modes"]) == ["keyword", "semantic", "hybrid"]

    keyword = report["modes"]["keyword"]
    names = ("ndcg@10", "recall@10", "recall@100", "mrr@10")
    for i, name in enumerate(names):
        expected = sum(v[i] for v in KEYWORD.values()) / len(KEYWORD)
        assert keyword[name] == pytest.approx(expected, abs=1e-4), name
    # 17 documents: semantic search ranks them all, so everything judged is within 100
    for mode in ("semantic", "hybrid"):
        assert report["modes"][mode]["recall@100"] == 1.0
        assert report["modes"][mode]["mrr@10"] > 0.5  # volcano and bees are found first by meaning too
        assert set(report["modes"][mode]["latency_ms"]) == {"p50", "p95", "p99", "mean"}
    assert report["query_embedding_ms"]["p50"] > 0
    assert not (tmp_path / "home" / "data" / "index.db").exists()  # the person's own index is not touched


def test_cairn_eval_prints_a_table(tmp_path: Path) -> None:
    data = write_set(tmp_path / "set")
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "eval", str(data), "--mode", "keyword"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "17 documents" in lines[0] and "4 queries" in lines[0]
    row = next(line for line in lines if line.startswith("keyword"))
    assert row.split()[1:5] == ["0.3450", "0.3750", "0.6250", "0.5000"]
    assert not any(line.startswith(("semantic", "hybrid")) for line in lines)


# ---------------------------------------------------------------- bad sets


def test_bad_sets_give_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="is not a folder"):
        load_dataset(tmp_path / "nowhere")
    missing = write_set(tmp_path / "missing")
    (missing / "qrels" / "test.tsv").unlink()
    with pytest.raises(EvaluationError, match=r"qrels/test\.tsv is missing"):
        load_dataset(missing)
    broken = write_set(tmp_path / "broken")
    with (broken / "corpus.jsonl").open("a") as f:
        f.write('{"_id": "x", "text": \n')
    with pytest.raises(EvaluationError, match=r"corpus\.jsonl line 18 is not valid JSON"):
        load_dataset(broken)
    other_ids = write_set(tmp_path / "other-ids", qrels=[("q-volcano", "doc-1", 1)])
    with pytest.raises(EvaluationError, match="do the corpus ids in the two files match"):
        load_dataset(other_ids)
    bad_score = write_set(tmp_path / "bad-score", qrels=[("q-volcano", "volcano", 1), ("q-bees", "bees", "high")])
    with pytest.raises(EvaluationError, match="line 3: the score is not a number"):
        load_dataset(bad_score)
    no_judged = write_set(tmp_path / "unjudged", qrels=[("q-volcano", "volcano", 0)])
    with pytest.raises(EvaluationError, match="has a relevant document"):
        load_dataset(no_judged)


def test_a_bad_set_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--home", str(tmp_path / "home"), "eval", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: {tmp_path / 'corpus.jsonl'} is missing: a BEIR-layout set has "
                                     "corpus.jsonl, queries.jsonl and qrels/test.tsv.")


def test_a_document_limit_keeps_every_judged_document(tmp_path: Path) -> None:
    data = load_dataset(write_set(tmp_path / "set"))
    cut = with_at_most(data, 7)
    ids = [d.id for d in cut.documents]
    assert len(ids) == 7
    assert {"volcano", "chess", "tides", "bees", "keeper"} <= set(ids)
    with pytest.raises(EvaluationError, match="5 relevant documents, more than 3"):
        with_at_most(data, 3)
