"""The one way the GUI runs engine work: off the UI thread, results back through signals.

Why one helper: every panel needs the same four things — run a callable on a worker
thread, hear about its progress, get its result or its error on the UI thread, and
stop it at once. Doing that ad hoc in each panel is where freezes and cross-thread
widget access creep in. An `Operation` never touches widgets; it only carries values
to the callbacks a panel gives it, which Qt runs on the UI thread.

Long engine verbs are generators (`Cairn.index`, `Cairn.watch`, `Cairn.ask`): when the
work callable returns a generator, each yielded item becomes a progress report and the
generator's return value the result. Progress that may be coalesced (a newer figure
replaces an older one) is sent at most every `progress_interval` seconds, so a fast
producer cannot flood the event loop and make the window stutter.

Cancelling is immediate from the person's point of view: `cancel()` sets the work's
Event (the engine checks it at its next yield) and, at the same moment, silences every
callback still to come, so nothing from a stopped operation reaches the screen.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable, Generator
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Qt, Signal, Slot

from engine import Cancelled, run_to_result

log = logging.getLogger("cairn.desktop")

Work = Callable[[threading.Event], Any]
Callback = Callable[[Any], None]

_live: set["Operation"] = set()  # keeps Python wrappers alive until their work is done


class Lane:
    """A named queue of work run one item at a time on its own thread.

    One lane per engine connection: an APSW connection must not run two statements at
    once, and a lane gives exactly that guarantee without locks in the panels. The
    writer lane is also Cairn's "one writer": every write waits its turn there."""

    def __init__(self, name: str, threads: int = 1) -> None:
        self.name = name
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(threads)
        self.pool.setObjectName(f"cairn-{name}")

    def wait(self, seconds: float) -> bool:
        """Block until queued work is done (only at shutdown and in tests)."""
        return bool(self.pool.waitForDone(int(seconds * 1000)))


class _Job(QRunnable):
    def __init__(self, operation: "Operation") -> None:
        super().__init__()
        self.operation = operation

    def run(self) -> None:
        self.operation._execute()


class Operation(QObject):
    """A unit of engine work with UI-thread callbacks; build it, attach callbacks, `start` it.

    Callbacks: `on_progress(item)`, `on_success(result)`, `on_failure(exception)` and
    `on_done()` (always last, also after a cancel or a failure). `Cancelled` raised by
    the engine is neither a success nor a failure: the person asked for it."""

    # Internal relays: emitted on the worker thread, delivered queued to this object,
    # which lives on the UI thread; the callbacks then run there.
    _progress = Signal(object)
    _success = Signal(object)
    _failure = Signal(object)
    _done = Signal()

    def __init__(self, work: Work, *, name: str = "operation", progress_interval: float = 0.1,
                 droppable: Callable[[Any], bool] | None = None) -> None:
        super().__init__()
        self.name = name
        self._work = work
        self._interval = progress_interval
        self._droppable = droppable or (lambda item: True)
        self.cancel_event = threading.Event()
        self._cancelled = False
        self._finished = False
        self._callbacks: dict[str, list[Callable[..., None]]] = {"progress": [], "success": [], "failure": [],
                                                                 "done": []}
        queued = Qt.ConnectionType.QueuedConnection
        self._progress.connect(self._deliver_progress, queued)
        self._success.connect(self._deliver_success, queued)
        self._failure.connect(self._deliver_failure, queued)
        self._done.connect(self._deliver_done, queued)

    # ------------------------------------------------------------ building

    def on_progress(self, callback: Callback) -> "Operation":
        self._callbacks["progress"].append(callback)
        return self

    def on_success(self, callback: Callback) -> "Operation":
        self._callbacks["success"].append(callback)
        return self

    def on_failure(self, callback: Callback) -> "Operation":
        self._callbacks["failure"].append(callback)
        return self

    def on_done(self, callback: Callable[[], None]) -> "Operation":
        self._callbacks["done"].append(callback)
        return self

    def start(self, lane: Lane) -> "Operation":
        _live.add(self)
        lane.pool.start(_Job(self))
        return self

    # ------------------------------------------------------------ control

    def cancel(self) -> None:
        """Stop now: the engine sees the Event at its next check; the UI hears nothing more."""
        self._cancelled = True
        self.cancel_event.set()

    def interrupt(self) -> None:
        """Ask the work to stop at its next check, and keep reporting until it has.

        Unlike `cancel`, the callbacks still run and work not yet started still starts (and
        stops at its first check): for work whose first step must happen once asked for (a
        re-embed's switch to the new model), stopped by the person, who sees it wind down."""
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def finished(self) -> bool:
        return self._finished

    # ------------------------------------------------------------ worker side

    def _execute(self) -> None:
        try:
            if self._cancelled:
                return
            result = self._work(self.cancel_event)
            if isinstance(result, Generator):
                result = self._drive(result)
            self._success.emit(result)
        except Cancelled:
            pass
        except Exception as exc:  # every failure reaches the UI; none kills the worker thread
            if not isinstance(exc, _expected()):
                # Type and stack only: an exception's message may quote a query or a document.
                log.error("%s failed with %s:\n%s", self.name, type(exc).__name__,
                          "".join(traceback.format_tb(exc.__traceback__)))
            self._failure.emit(exc)
        finally:
            self._done.emit()

    def _drive(self, generator: Generator[Any, None, Any]) -> Any:
        pending: list[Any] = []
        last = 0.0

        def each(item: Any) -> None:
            nonlocal last
            if self.cancel_event.is_set() and self._cancelled:
                generator.close()
                raise Cancelled("stopped")
            now = time.monotonic()
            droppable = self._droppable(item)
            if droppable and now - last < self._interval:
                pending[:] = [item]  # a newer figure replaces the one not yet shown
                return
            if pending and not droppable:
                self._progress.emit(pending[0])  # the last figure before an event, e.g. "30 of 30"
            pending.clear()
            last = now
            self._progress.emit(item)

        result = run_to_result(generator, each)
        if pending:
            self._progress.emit(pending[0])
        return result

    # ------------------------------------------------------------ UI side

    @Slot(object)
    def _deliver_progress(self, item: Any) -> None:
        if not self._cancelled:
            for callback in self._callbacks["progress"]:
                callback(item)

    @Slot(object)
    def _deliver_success(self, result: Any) -> None:
        if not self._cancelled:
            for callback in self._callbacks["success"]:
                callback(result)

    @Slot(object)
    def _deliver_failure(self, exc: Any) -> None:
        if not self._cancelled:
            for callback in self._callbacks["failure"]:
                callback(exc)

    @Slot()
    def _deliver_done(self) -> None:
        self._finished = True
        for callback in self._callbacks["done"]:
            callback()
        _live.discard(self)


def _expected() -> tuple[type[BaseException], ...]:
    """Errors written for people (CairnError): shown, not logged as bugs."""
    from engine import CairnError

    return (CairnError, OSError)


def describe(exc: BaseException) -> str:
    """What to show a person for a failure: Cairn's own messages as they are, others by kind only."""
    if isinstance(exc, _expected()):
        return str(exc) or type(exc).__name__
    return f"Something went wrong inside Cairn ({type(exc).__name__}). Details are in the log."
