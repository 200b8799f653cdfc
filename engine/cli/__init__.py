"""The `cairn` command: a thin client of `engine.api.Cairn`.

Domain errors become one clear line on stderr and exit status 1; nothing here
knows SQL or models.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from engine import __version__
from engine.errors import CairnError, Cancelled

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn Cairn's own errors into a message and exit code 1, Ctrl+C into exit code 130."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Cancelled:
            click.echo("Stopped.", err=True)
            sys.exit(130)
        except KeyboardInterrupt:
            click.echo("Stopped.", err=True)
            sys.exit(130)
        except CairnError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--home", type=click.Path(file_okay=False), envvar="CAIRN_HOME",
              help="Keep every file Cairn writes under this folder (also: CAIRN_HOME).")
@click.version_option(__version__, prog_name="cairn")
@click.pass_context
def cli(ctx: click.Context, home: str | None) -> None:
    """Cairn: private search and answers over your own files, on your own computer."""
    ctx.obj = {"home": home}


def main() -> None:
    from engine.sandbox import no_core_dumps

    no_core_dumps()
    try:
        from engine.cli import ask, evaluate, find, folders, live, privacy, settings  # noqa: F401  (registers them)

        cli()
    except KeyboardInterrupt:  # Ctrl+C while Cairn was still starting, before any command ran
        click.echo("Stopped.", err=True)
        sys.exit(130)
    finally:
        # The command is over and its files are closed; what remains is freeing the models as Python
        # exits. Ctrl+C now ends the process at once instead of printing a traceback from a finalizer.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
