"""Measure retrieval quality the way the field does: BEIR-layout data, nDCG, recall, MRR.

`beir` reads a labelled set, `metrics` scores rankings against its judgements,
`runner` indexes the corpus through the normal pipeline into a temporary home
and runs every query in each search mode. `cairn eval` is the command line for it.
"""

from engine.evaluate.beir import Dataset, EvaluationError, load_dataset, with_at_most
from engine.evaluate.metrics import Percentiles, mrr_at_k, ndcg_at_k, recall_at_k
from engine.evaluate.runner import EvalReport, ModeResult, evaluate, run_eval

__all__ = ["Dataset", "EvalReport", "EvaluationError", "ModeResult", "Percentiles", "evaluate", "load_dataset",
           "run_eval", "mrr_at_k", "ndcg_at_k", "recall_at_k", "with_at_most"]
