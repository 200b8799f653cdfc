"""The `cairn` command group and how every command ends: a clean message, exit 1 for
Cairn's own errors, 130 for a Ctrl+C. The commands (one module per group) register on `cli`."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps
from types import FrameType
from typing import Any, NoReturn, TypeVar, overload

import click

from engine import CairnError, Cancelled, __version__

F = TypeVar("F", bound=Callable[..., Any])

STOPPED = "Stopped."
STOPPED_INDEXING = "Stopped; everything indexed so far is saved."
_said = {"stopped": STOPPED, "done": ""}  # what a Ctrl+C says in the running command; whether it was said


def _interrupted(number: int, frame: FrameType | None) -> None:
    """The first Ctrl+C stops the command; any later one is ignored.

    Stopping closes the index and the reader process, which takes a moment; a person
    presses Ctrl+C again. Python's default raised a second KeyboardInterrupt in the
    middle of that (click printed "Aborted!" and exit status 1, or the process died
    of the signal), which looks like a failure though nothing was lost. Ctrl+\\ or
    SIGTERM still end a stop that hangs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def stop() -> NoReturn:
    """Say the command stopped (once) and exit with 130, the status of a Ctrl+C."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _said["done"]:
        _said["done"] = "yes"
        click.echo(_said["stopped"], err=True)
    sys.exit(130)


@overload
def friendly_errors(func: F) -> F: ...
@overload
def friendly_errors(*, stopped: str) -> Callable[[F], F]: ...


def friendly_errors(func: F | None = None, *, stopped: str = STOPPED) -> Any:
    """Turn Cairn's own errors into a message and exit code 1, Ctrl+C into `stopped` and exit code 130."""

    def decorate(func: F) -> F:
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _said["stopped"] = stopped  # also said for a Ctrl+C that comes while the command's index closes
            try:
                return func(*args, **kwargs)
            except (Cancelled, KeyboardInterrupt):
                stop()
            except CairnError as exc:
                click.echo(f"Error: {exc}", err=True)
                sys.exit(1)

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False), envvar="CAIRN_HOME",
              help="Keep every file Cairn writes under this folder (also: CAIRN_HOME).")
@click.version_option(__version__, prog_name="cairn")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Cairn: private search and answers over your own files, on your own computer."""
    ctx.obj = {"home": home}
