"""`cairn config`: see and change settings, including the exclusions, from the terminal."""

from __future__ import annotations

import json
from dataclasses import asdict, fields, replace
from pathlib import Path

import click

from engine.cli.base import cli, friendly_errors
from engine.cli.common import open_cairn
from engine import ConfigError, FolderError, Settings

SCALARS = {f.name: f.type for f in fields(Settings) if f.name not in ("excludes", "passphrase_in_keyring")}


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print settings and per-folder exclusions as JSON.")
@click.pass_context
@friendly_errors
def config(ctx: click.Context, as_json: bool) -> None:
    """Show settings; `set`, `exclude` and `include` change them."""
    if ctx.invoked_subcommand is not None:
        return
    cairn = open_cairn(ctx)
    data = {**asdict(cairn.settings), "folders": {f.path: list(f.excludes) for f in cairn.folders()}}
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key, value in data.items():
        if key in ("excludes", "folders"):
            continue
        click.echo(f"{key} = {value if value is not None else '(default)'}")
    click.echo("excludes for new folders = " + ", ".join(cairn.settings.excludes))
    for folder, patterns in data["folders"].items():  # type: ignore[union-attr]
        click.echo(f"excludes in {folder} = " + ", ".join(patterns))


@config.command("set", context_settings={"ignore_unknown_options": True},  # "-5" is a value, not an option
                epilog="""\b
Examples:
  cairn config set answer_mode generative
  cairn config set chat_model ~/models/qwen-1.5b.gguf
  cairn config set threads 2
  cairn config set max_file_mb 200
  cairn config set chat_model default  (the default again)""")
@click.argument("key", type=click.Choice(sorted(SCALARS)), metavar="KEY")
@click.argument("value")
@click.pass_context
@friendly_errors
def set_value(ctx: click.Context, key: str, value: str) -> None:
    """Set KEY to VALUE; `default` (or `none`) puts a setting back to its default.

    \b
    KEY is one of:
      embedding_model  english, multilingual (bundled), or a
                       GGUF embedding model (checked by
                       loading it; then `cairn reindex`)
      chat_model       GGUF chat model for written answers
      answer_mode      extractive or generative
      threads          embedding threads (0: one per core)
      max_file_mb      largest file read, in MB
      read_timeout_s   most seconds spent reading one file
      read_memory_mb   memory the file reader may use, MB
      ocr_languages    languages scans are read in (eng+deu;
                       default: English + the system's)
    """
    cairn = open_cairn(ctx)
    cairn.check_writable()
    parsed = _parse(key, value)
    if key == "embedding_model" and parsed is not None:
        from engine import load_embedder

        if str(parsed).lower() in ("english", "multilingual"):
            parsed = str(parsed).lower()
        else:
            parsed = str(Path(str(parsed)).expanduser().resolve())
        load_embedder(str(parsed))  # raises ModelLoadError with a clear message
    info = None
    if key == "chat_model" and parsed is not None:
        from engine import check_chat_model

        given = Path(str(parsed)).expanduser()
        found = cairn.paths.models / given if not given.is_absolute() and (cairn.paths.models / given).exists() else given
        info = check_chat_model(found)  # a GGUF chat model with a template, or a ModelLoadError saying why not
    changed = replace(cairn.settings, **{key: parsed})  # type: ignore[arg-type]  # checked just below
    problem = changed.problem()
    if problem:
        raise ConfigError(f"{problem}; nothing was changed.")
    changed.save(cairn.paths)
    cairn.settings = changed
    click.echo(f"{key} = {parsed}")
    if info is not None:
        click.echo(info.summary())
    if key == "embedding_model":
        click.echo("Run `cairn reindex` to embed your files with this model.")


_NUMBERS = {"int": (int, "a whole number"), "float": (float, "a number")}  # Settings' annotations


def _parse(key: str, value: str) -> object:
    """The typed value of VALUE for KEY, by the type `Settings` declares; `default` is the default."""
    if value.strip().lower() in ("", "none", "default"):
        return getattr(Settings(), key)
    declared = str(SCALARS[key])
    if declared not in _NUMBERS:
        return value
    convert, kind = _NUMBERS[declared]
    try:
        return convert(value)
    except ValueError:
        raise ConfigError(f"{key} must be {kind}, not {value!r}; nothing was changed.") from None


@config.command()
@click.argument("pattern")
@click.option("--folder", type=click.Path(file_okay=False), help="Change this folder's exclusions (default: new folders).")
@click.pass_context
@friendly_errors
def exclude(ctx: click.Context, pattern: str, folder: str | None) -> None:
    """Never index files or folders matching PATTERN (a glob on names, or a path from the folder with '/')."""
    _change(ctx, pattern, folder, add=True)


@config.command()
@click.argument("pattern")
@click.option("--folder", type=click.Path(file_okay=False), help="Change this folder's exclusions (default: new folders).")
@click.pass_context
@friendly_errors
def include(ctx: click.Context, pattern: str, folder: str | None) -> None:
    """Remove PATTERN from the exclusions (e.g. include '.*' to index hidden files)."""
    _change(ctx, pattern, folder, add=False)


def _change(ctx: click.Context, pattern: str, folder: str | None, add: bool) -> None:
    cairn = open_cairn(ctx)
    if folder is None:
        current = cairn.settings.excludes
        if not add and pattern not in current:
            raise ConfigError(f"{pattern!r} is not among the exclusions for new folders.")
        cairn.settings.excludes = [*current, pattern] if add else [p for p in current if p != pattern]
        cairn.check_writable()
        cairn.settings.save(cairn.paths)
        click.echo("Exclusions for new folders: " + ", ".join(cairn.settings.excludes))
        return
    row = cairn.store.folder_by_path(str(Path(folder).expanduser().resolve()))
    if row is None:
        raise FolderError(f"{folder} is not an indexed folder.")
    patterns = [*row.excludes, pattern] if add else [p for p in row.excludes if p != pattern]
    cairn.set_folder_excludes(row.path, patterns)
    click.echo(f"Exclusions in {row.path}: " + ", ".join(patterns) + ". Run `cairn index` to apply them.")
