"""`cairn watch`: keep the index live in the foreground until Ctrl+C."""

from __future__ import annotations

import signal
import threading
import time

import click

from engine.cli.base import STOPPED_INDEXING, cli, friendly_errors
from engine.cli.common import open_cairn


@cli.command(short_help="Index what changed, then follow changes as they come.")
@click.option("--debounce", type=float, default=0.5, show_default=True,
              help="Seconds a file must be quiet before it is indexed.")
@click.pass_context
@friendly_errors(stopped=STOPPED_INDEXING)
def watch(ctx: click.Context, debounce: float) -> None:
    """Index what changed since the last run, then follow every change until stopped."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    for update in open_cairn(ctx).watch(stop, debounce):
        stamp = time.strftime("%H:%M:%S")
        if update.kind == "synced" and update.report is not None:
            r = update.report
            changed = r.added + r.updated + r.moved + r.removed + r.failed
            if changed:
                click.echo(f"{stamp} {r.added} added, {r.updated} updated, {r.moved} moved, {r.removed} removed, "
                           f"{r.failed} failed ({r.seconds:.1f} s)")
            for folder in r.missing_folders:
                click.echo(f"{stamp} Warning: {folder} is missing or empty (unplugged, not mounted?); its data is kept.", err=True)
        elif update.kind in ("ready", "problem") and update.message:
            click.echo(f"{stamp} {update.message}", err=update.kind == "problem")
    click.echo("Stopped watching.")
