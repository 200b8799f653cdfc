"""The `cairn` command: a thin client of the engine's front door (`engine`).

Domain errors become one clear line on stderr and exit status 1; nothing here
knows SQL or models.
"""

from __future__ import annotations

import signal
import sys

import click

from engine.cli.base import _interrupted, _said, cli, stop

__all__ = ["cli", "main"]


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
