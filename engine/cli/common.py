"""What every command needs: the Cairn object for the chosen home, unlocked if encrypted."""

from __future__ import annotations

import sys

import click

from engine.api import Cairn
from engine.errors import PassphraseRequired


def open_cairn(ctx: click.Context) -> Cairn:
    try:
        cairn = Cairn(ctx.obj["home"])
    except PassphraseRequired:
        if not sys.stdin.isatty():
            raise
        secret = click.prompt("Passphrase of the encrypted index", hide_input=True, err=True)
        cairn = Cairn(ctx.obj["home"], passphrase=secret)
    ctx.call_on_close(cairn.close)
    return cairn
