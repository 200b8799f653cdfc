"""Privacy commands: encrypt the index, forget a file or folder for real."""

from __future__ import annotations

import os
import sys

import click

from engine.cli.base import cli, friendly_errors
from engine.cli.common import open_cairn
from engine import ConfigError, NEW_PASSPHRASE_ENV


@cli.command(short_help="Encrypt the index, or change its passphrase.")
@click.option("--keyring", "use_keyring", is_flag=True, help="Also keep the passphrase in the OS keyring.")
@click.pass_context
@friendly_errors
def encrypt(ctx: click.Context, use_keyring: bool) -> None:
    """Encrypt the whole index with a passphrase, or change the passphrase.

    The new passphrase is asked for twice on a terminal; scripts set
    CAIRN_PASSPHRASE (to encrypt a plain index) or CAIRN_NEW_PASSPHRASE (to change it).
    """
    cairn = open_cairn(ctx)
    new = os.environ.get(NEW_PASSPHRASE_ENV) or (None if cairn.encrypted else os.environ.get("CAIRN_PASSPHRASE"))
    if not new:
        if not sys.stdin.isatty():
            raise ConfigError(f"No new passphrase: run on a terminal or set {NEW_PASSPHRASE_ENV}.")
        new = click.prompt("New passphrase", hide_input=True, confirmation_prompt=True, err=True)
    was = cairn.encrypted
    cairn.encrypt(new, keep_in_keyring=use_keyring)
    click.echo("Passphrase changed." if was else "The index is now encrypted. Keep the passphrase safe: "
               "without it the index cannot be opened (your files themselves are untouched).")


@cli.command(short_help="Delete all Cairn stored about a file or folder.", epilog="""\b
Examples:
  cairn forget ~/Documents/medical/scan-2021.pdf
  cairn forget ~/Documents/old-cases""")
@click.argument("path", type=click.Path())
@click.pass_context
@friendly_errors
def forget(ctx: click.Context, path: str) -> None:
    """Delete everything Cairn stored about PATH (a file or folder) and never index it again."""
    count = open_cairn(ctx).forget(path)
    click.echo(f"Forgot {count} file(s); their text is wiped from the index files.")
