"""Plumbing of the operation helper: progress coalescing, results, failures, immediate cancel, interrupt."""

from __future__ import annotations

import threading
from collections.abc import Generator
from typing import Any

from desktop.operation import Lane, Operation
from engine.errors import Cancelled, FolderError


def run(qtbot: Any, op: Operation, lane: Lane) -> None:
    with qtbot.waitSignal(op._done, timeout=10_000):
        op.start(lane)


def test_generator_progress_is_coalesced_and_the_return_value_is_the_result(qtbot: Any) -> None:
    def work(cancel: threading.Event) -> Generator[int, None, str]:
        for i in range(5000):
            yield i
        return "finished"

    seen: list[int] = []
    results: list[str] = []
    lane = Lane("test")
    op = Operation(work, progress_interval=0.05).on_progress(seen.append).on_success(results.append)
    run(qtbot, op, lane)
    assert results == ["finished"]
    assert seen[-1] == 4999  # the newest figure always arrives
    assert len(seen) < 100  # but not five thousand queued signals


def test_failures_reach_the_ui_and_cancelled_is_not_one(qtbot: Any) -> None:
    lane = Lane("test")
    failures: list[BaseException] = []

    def fail(_: threading.Event) -> None:
        raise FolderError("not a folder")

    run(qtbot, Operation(fail).on_failure(failures.append), lane)
    assert [str(f) for f in failures] == ["not a folder"]

    def stopped(_: threading.Event) -> None:
        raise Cancelled("stopped")

    done: list[bool] = []
    run(qtbot, Operation(stopped).on_failure(failures.append).on_done(lambda: done.append(True)), lane)
    assert len(failures) == 1 and done == [True]


def test_cancel_silences_the_operation_at_once(qtbot: Any) -> None:
    lane = Lane("test")
    started = threading.Event()
    release = threading.Event()

    def work(cancel: threading.Event) -> Generator[int, None, str]:
        started.set()
        release.wait(5)
        yield 1  # arrives after the cancel: must not be shown
        return "late"

    heard: list[Any] = []
    op = Operation(work, droppable=lambda _: False).on_progress(heard.append).on_success(heard.append)
    with qtbot.waitSignal(op._done, timeout=10_000):
        op.start(lane)
        assert started.wait(5)
        op.cancel()
        assert op.cancel_event.is_set()
        release.set()
    assert heard == []


def test_interrupt_stops_the_work_at_its_next_check_and_still_reports(qtbot: Any) -> None:
    lane = Lane("test")
    release = threading.Event()
    lane.pool.start(lambda: release.wait(5))  # the lane is busy: the next work has not started yet
    steps: list[str] = []

    def work(cancel: threading.Event) -> Generator[int, None, str]:
        steps.append("first step")  # runs even though the stop came first (a re-embed's switch of model)
        if cancel.is_set():
            raise Cancelled("stopped")
        yield 1
        return "finished"

    done: list[bool] = []
    op = Operation(work).on_success(steps.append).on_done(lambda: done.append(True))
    with qtbot.waitSignal(op._done, timeout=10_000):
        op.start(lane)
        op.interrupt()
        release.set()
    assert steps == ["first step"] and done == [True]
