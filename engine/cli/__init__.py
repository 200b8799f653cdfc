"""The `cairn` command: a thin client of `engine.cairn.Cairn`.

Domain errors become one clear line on stderr and exit status 1; nothing here
knows SQL or models.
"""

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


def main() -> None:
    from engine import no_core_dumps

    no_core_dumps()
    signal.signal(signal.SIGINT, _interrupted)
    try:
        from engine.cli import ask, evaluate, find, folders, live, privacy, settings  # noqa: F401  (registers them)

        # not standalone: click would turn a Ctrl+C outside the command itself (while the index closes)
        # into "Aborted!" and exit status 1
        code = cli.main(standalone_mode=False)
    except KeyboardInterrupt:  # Ctrl+C while Cairn was still starting, before any command ran
        stop()
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            stop()
        click.echo("Aborted!", err=True)  # a prompt left with Ctrl+C or Ctrl+D, as click says it
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    finally:
        # The command is over and its files are closed; what remains is freeing the models as Python
        # exits. Ctrl+C now ends the process at once instead of printing a traceback from a finalizer;
        # after a stop it is still ignored, so that the exit status stays 130.
        if not _said["done"]:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.exit(code if isinstance(code, int) else 0)
