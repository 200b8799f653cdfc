"""What every command needs: the Cairn object for the chosen home, unlocked if encrypted."""

from __future__ import annotations

import sys

import click

from engine import Cairn, PassphraseRequired, WrongPassphrase


def interactive() -> bool:
    """A person at a terminal, who can be asked for the passphrase (a script or cron job cannot)."""
    return sys.stdin.isatty()


def typed_text(parts: tuple[str, ...], what: str) -> str:
    """The query or question from the command line; "-" reads it from standard input instead.

    Arguments are visible to every user of the machine in the process list (`ps`) and stay
    in the shell's history; what a person asks their files can be as private as the files.
    On a terminal "-" asks for it; from a pipe it reads everything."""
    if parts != ("-",):
        text = " ".join(" ".join(parts).split())
        if not text:
            raise click.UsageError(f"The {what.lower()} is empty: give one, or - to type it.")
        return text
    text = " ".join((click.prompt(what, err=True) if interactive() else sys.stdin.read()).split())
    if not text:
        raise click.UsageError(f"No {what.lower()} on standard input.")
    return text


def open_cairn(ctx: click.Context) -> Cairn:
    """Open the home; on a terminal, ask for the passphrase when none is stored or the stored one
    (OS keyring, CAIRN_PASSPHRASE) does not open the index: refusing forever would leave no way in."""
    try:
        cairn = Cairn(ctx.obj["home"])
    except (PassphraseRequired, WrongPassphrase) as exc:
        if not interactive():
            raise
        if isinstance(exc, WrongPassphrase):
            click.echo(str(exc), err=True)  # says which stored passphrase did not work
        secret = click.prompt("Passphrase of the encrypted index", hide_input=True, err=True)
        cairn = Cairn(ctx.obj["home"], passphrase=secret)
        ctx.call_on_close(cairn.close)
        if isinstance(exc, WrongPassphrase):
            cairn.update_keyring()  # the keyring had fallen behind: it holds the one that works from now on
        return cairn
    ctx.call_on_close(cairn.close)
    return cairn
