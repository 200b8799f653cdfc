"""`cairn eval`: retrieval quality on a labelled set (BEIR layout), for each search mode.

Indexes the set into a temporary home (the person's own index is not touched),
then prints nDCG@10, Recall@10, Recall@100, MRR@10 and query latency per mode.
"""

from __future__ import annotations

import json
import sys

import click

from engine.cli.base import cli, friendly_errors
from engine import MODES, EvalReport, IndexProgress, Mode, run_eval


@cli.command(name="eval", short_help="Measure search quality on a labelled dataset.")
@click.argument("dataset", type=click.Path(file_okay=False))
@click.option("--mode", "modes", type=click.Choice(MODES), multiple=True,
              help="Search mode to evaluate (repeatable); default: all three.")
@click.option("--split", default="test", show_default=True, help="Judgements to use: qrels/SPLIT.tsv.")
@click.option("--model", type=click.Path(dir_okay=False), help="GGUF embedding model (default: the configured one).")
@click.option("--max-queries", type=click.IntRange(1), help="Only the first N judged queries.")
@click.option("--max-docs", type=click.IntRange(1),
              help="Only N documents: the judged ones of the queries used, then the first others.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
@friendly_errors
def evaluate_command(ctx: click.Context, dataset: str, modes: tuple[str, ...], split: str, model: str | None,
                     max_queries: int | None, max_docs: int | None, as_json: bool) -> None:
    """Measure search quality on DATASET (corpus.jsonl, queries.jsonl, qrels/test.tsv)."""
    order: tuple[Mode, ...] = ("keyword", "semantic", "hybrid")  # hybrid last: it combines the other two
    chosen = tuple(m for m in order if m in modes) or order
    report = run_eval(dataset, home=ctx.obj["home"], split=split, modes=chosen, model=model, max_queries=max_queries,
                      max_docs=max_docs, progress=_Progress() if sys.stderr.isatty() else None)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _show(report)


class _Progress:
    """One overwritten line on the terminal: counts only, never a file name (names can be content)."""

    def __call__(self, update: IndexProgress) -> None:
        if update.phase == "indexing":
            click.echo(f"\rIndexing {update.files_done}/{update.files_total} documents, "
                       f"{update.chunks_done} passages", nl=False, err=True)
        elif update.phase == "done":
            click.echo("\r" + " " * 60 + "\r", nl=False, err=True)


def _show(report: EvalReport) -> None:
    click.echo(f"{report.dataset}: {report.documents} documents ({report.passages} passages, indexed in "
               f"{report.index_seconds:.0f} s), {report.queries} queries, {report.model}")
    if report.failed_files:
        click.echo(f"Warning: {report.failed_files} documents could not be indexed.")
    click.echo(f"{'mode':<9} {'nDCG@10':>8} {'R@10':>7} {'R@100':>7} {'MRR@10':>7} {'p50 ms':>8} {'p95 ms':>8}"
               f" {'p99 ms':>8}")
    for m in report.modes:
        s, t = m.scores, m.latency
        click.echo(f"{m.mode:<9} {s.ndcg10:8.4f} {s.recall10:7.4f} {s.recall100:7.4f} {s.mrr10:7.4f} "
                   f"{t.p50:8.1f} {t.p95:8.1f} {t.p99:8.1f}")
    if report.query_embedding is not None:
        e = report.query_embedding
        click.echo(f"Latencies are for search alone; embedding a query adds p50 {e.p50:.1f} ms, "
                   f"p95 {e.p95:.1f} ms (semantic and hybrid).")
