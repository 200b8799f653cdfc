"""What every command needs: the Cairn object for the chosen home."""

from __future__ import annotations

import click

from engine.api import Cairn


def open_cairn(ctx: click.Context) -> Cairn:
    cairn = Cairn(ctx.obj["home"])
    ctx.call_on_close(cairn.close)
    return cairn
