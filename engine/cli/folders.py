"""Folder and index commands: add, remove, index, reindex, status."""

from __future__ import annotations

import json
import sys
from collections.abc import Generator
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from engine.cli.base import STOPPED_INDEXING, cli, friendly_errors
from engine.cli.common import open_cairn
from engine import IndexProgress, IndexReport, Status, run_to_result


@cli.command(short_help="Add a folder for Cairn to index.", epilog="""\b
Examples:
  cairn add ~/Documents
  cairn add ~/Cases --exclude '*.tmp' --exclude drafts""")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--exclude", "excludes", multiple=True, metavar="GLOB",
              help="Skip files or folders matching GLOB (repeatable), on top of the default exclusions.")
@click.pass_context
@friendly_errors
def add(ctx: click.Context, folder: str, excludes: tuple[str, ...]) -> None:
    """Add FOLDER to the folders Cairn indexes (then run `cairn index`, unless a watcher runs)."""
    cairn = open_cairn(ctx)
    known = {f.path for f in cairn.folders()}
    row = cairn.add_folder(folder, excludes)
    if row.path in known:
        click.echo(f"{row.path} is already indexed; " + (f"its exclusions now also hold {', '.join(excludes)}. Run "
                   "`cairn index` to apply them." if excludes else "its exclusions are kept, nothing changed."))
    elif cairn.status().watcher is not None:
        click.echo(f"Added {row.path}. The running watcher (`cairn watch` or the app) indexes it in a few seconds.")
    else:
        click.echo(f"Added {row.path}. Run `cairn index` to index it.")


@cli.command()
@click.argument("folder", type=click.Path())
@click.pass_context
@friendly_errors
def remove(ctx: click.Context, folder: str) -> None:
    """Stop indexing FOLDER and delete everything Cairn stored about it."""
    count = open_cairn(ctx).remove_folder(folder)
    click.echo(f"Removed {Path(folder).expanduser().resolve()} and the index data of {count} files.")


@cli.command()
@click.pass_context
@friendly_errors(stopped=STOPPED_INDEXING)
def index(ctx: click.Context) -> None:
    """Index new, changed and deleted files in every folder (one pass)."""
    _run(open_cairn(ctx).index())


@cli.command(short_help="Embed every file again with the configured model.")
@click.pass_context
@friendly_errors(stopped=STOPPED_INDEXING)
def reindex(ctx: click.Context) -> None:
    """Embed every file again with the configured model (after changing models)."""
    _run(open_cairn(ctx).reindex())


def _run(job: Generator[IndexProgress, None, IndexReport]) -> None:
    report = _with_bar(job) if sys.stderr.isatty() else run_to_result(job)
    parts = [f"{report.added} added", f"{report.updated} updated", f"{report.moved} moved",
             f"{report.removed} removed", f"{report.unchanged} unchanged", f"{report.failed} failed"]
    ocr = f"; {report.ocr_pages} pages read by OCR" if report.ocr_pages else ""
    click.echo(f"Indexed in {report.seconds:.1f} s: " + ", ".join(parts) + f"; {report.chunks} passages embedded{ocr}.")
    for folder in report.missing_folders:
        click.echo(f"Warning: {folder} is not there, or empty (unplugged drive, share not mounted?); its index data is kept.", err=True)
    if report.failed:
        click.echo("See `cairn status` for the files that could not be read.", err=True)


def _show_ocr(st: Status) -> None:
    """The languages scans are read in, and any asked for that cannot be: Tesseract would read junk."""
    kept = f"; {st.ocr_pages:,} pages read and kept" if st.ocr_pages else ""
    click.echo(f"OCR languages: {'+'.join(st.ocr_languages) or 'none (no OCR data installed)'}{kept}")
    if st.ocr_missing:
        names = ", ".join(st.ocr_missing)
        packages = " ".join("tesseract-ocr-" + c.replace("_", "-") for c in st.ocr_missing)
        click.echo(f"OCR data missing for {names}: scans in {'it' if len(st.ocr_missing) == 1 else 'them'} are not "
                   f"read well. Debian/Ubuntu: `sudo apt-get install {packages}` (or change ocr_languages with "
                   "`cairn config set`).")


def ocr_line(p: IndexProgress) -> str:
    """ "OCR: 3 scans left, 12 pages read (1.4 s a page), ~1 min": scans come last, so this is the tail's time."""
    if not p.scans_left and not p.ocr_pages_read:
        return ""
    parts = [f"{p.scans_left} scan{'s' if p.scans_left != 1 else ''} left"] if p.scans_left else []
    if p.ocr_pages_read:
        rate = f" ({p.ocr_seconds_per_page:.1f} s a page)" if p.ocr_seconds_per_page else ""
        parts.append(f"{p.ocr_pages_read} page{'s' if p.ocr_pages_read != 1 else ''} read{rate}")
    if p.scans_left and p.scans_eta_seconds is not None:
        parts.append(f"~{_minutes(p.scans_eta_seconds)}")
    return "OCR: " + ", ".join(parts)


def mailbox_line(p: IndexProgress) -> str:
    """ "inbox.mbox 45%, ~3 min": a mailbox of any size is one file, so its own progress is shown."""
    if p.mailbox is None or not p.mailbox_total:
        return ""
    eta = f", ~{_minutes(p.mailbox_eta_seconds)}" if p.mailbox_eta_seconds is not None else ""
    return f"{Path(p.mailbox).name} {100 * p.mailbox_done // p.mailbox_total}%{eta}"


def _minutes(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


_BAR_TEXT = {"indexing": "Indexing", "re-embedding": "Re-embedding passages"}  # a model switch counts passages


def _with_bar(job: Generator[IndexProgress, None, IndexReport]) -> IndexReport:
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:.1f} passages/s"), TimeRemainingColumn(), TextColumn("{task.fields[now]}"),
               TextColumn("[magenta]{task.fields[ocr]}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Scanning", total=None, rate=0.0, now="", ocr="")

        def show(p: IndexProgress) -> None:
            bar.update(task, description=_BAR_TEXT.get(p.phase, "Scanning"),
                       total=p.files_total or None, completed=p.files_done, rate=p.chunks_per_second,
                       now=mailbox_line(p) or (p.current or "")[-40:], ocr=ocr_line(p))

        return run_to_result(job, show)


@cli.command(short_help="Show folders, counts, the model and problem files.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.pass_context
@friendly_errors
def status(ctx: click.Context, as_json: bool) -> None:
    """Show folders, counts, the model and files that could not be indexed."""
    st = open_cairn(ctx).status()
    if as_json:
        click.echo(json.dumps(asdict(st), indent=2))
        return
    click.echo(f"Index: {st.database}")
    click.echo(f"Model: {st.model or '(none yet)'}" + (f", {st.dimensions} dimensions" if st.dimensions else ""))
    if st.model_choice:
        click.echo(f"Model choice: {_shown_choice(st.model_choice)} ({st.model_reason})")
    count = len(st.folders)
    click.echo(f"{st.files} files, {st.chunks} passages in {count} folder{'' if count == 1 else 's'}")
    for f in st.folders:
        missing = "" if f.present else "  [missing]"
        counts = ", ".join(f"{n} {s}" for s, n in sorted(f.by_status.items()))
        click.echo(f"  {f.path}: {counts or 'not indexed yet'}{missing}")
        if f.languages:
            spoken = ", ".join(f"{language} {n}" for language, n in list(f.languages.items())[:6])
            click.echo(f"    passages by language: {spoken}")
    errors = [p for p in st.problems if p.status in ("error", "partial")]
    skipped = len(st.problems) - len(errors)
    if errors:
        click.echo(f"Files that could not be indexed ({len(errors)}):")
        for p in errors:
            click.echo(f"  {p.path}: {p.reason}")
    if skipped:
        click.echo(f"{skipped} files skipped as unsupported (see --json).")
    if st.switch:
        click.echo(switch_line(st))
    if st.suggestion:
        click.echo(f"Suggestion: {st.suggestion}")
    _show_ocr(st)
    if st.watcher:
        w = st.watcher
        line = f"Watcher (process {w.get('pid')}): {w.get('state')}, {w.get('queued', 0)} queued"
        click.echo(line + (f"; last error: {w['last_error']}" if w.get("last_error") else ""))


def switch_line(st: Status) -> str:
    """How far a change of embedding model is, and that search goes on meanwhile."""
    assert st.switch is not None
    w = st.switch
    return (f"Switching to {_shown_choice(w.to_model)}: {w.done:,} of {w.total:,} passages re-embedded; search uses "
            f"{st.model} until every one is. `cairn index` (or `cairn watch`, or the app) goes on with it.")


def _shown_choice(choice: str) -> str:
    return {"english": "English (all-MiniLM-L6-v2)",
            "multilingual": "multilingual (multilingual-e5-small)"}.get(choice, choice)
