"""Long operations are generators: they yield small progress records and return their result.

These two helpers run one to its result, so that no caller writes the `StopIteration` dance again.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

P = TypeVar("P")
Q = TypeVar("Q")
R = TypeVar("R")


def run_to_result(job: Generator[P, Any, R], on_progress: Callable[[P], object] | None = None) -> R:
    """Run `job` to its end, handing each progress record to `on_progress`; its return value."""
    relayed = relay(job, on_progress or (lambda item: item))
    while True:
        try:
            next(relayed)
        except StopIteration as stop:
            result: R = stop.value
            return result


def relay(job: Generator[P, Any, R], wrap: Callable[[P], Q]) -> Generator[Q, None, R]:
    """`yield from job`, each progress record passed on as `wrap(record)`; `job`'s return value."""
    while True:
        try:
            item = next(job)
        except StopIteration as stop:
            result: R = stop.value
            return result
        yield wrap(item)
