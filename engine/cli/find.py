"""`cairn search`: results for people (highlighted snippets) or for programs (--json).

A person sees matches: results only weakly related to the query (engine/search/ranking.py) are cut and
counted, or listed after a separator with --all; when nothing matches, the nearest files are
shown under a line that says so, never as if they were matches. --json carries every result
and its `weak` flag: a program decides for itself."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from engine.cli.base import cli, friendly_errors
from engine.cli.common import open_cairn, typed_text
from engine import FolderError, MODES, SearchFilters, SearchResult, container_of, page_label, place_label, scan_label


@cli.command(epilog="""\b
Examples:
  cairn search where did I read about knee surgery
  cairn search 2023-CV-04417 --mode keyword
  cairn search "deposit" --type pdf --folder ~/Cases
  cairn search budget --json --limit 50
  cairn search -   (typed after: not in ps or history)""")
@click.argument("query", nargs=-1, required=True)
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True,
              help="hybrid fuses keyword and semantic search.")
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True, help="How many files to show.")
@click.option("--folder", type=click.Path(file_okay=False), help="Only files under this folder.")
@click.option("--type", "types", multiple=True, metavar="EXT", help="Only files of this type, e.g. pdf (repeatable).")
@click.option("--all", "show_all", is_flag=True, help="Also show weakly related files, after the matches.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of results (weak ones included).")
@click.pass_context
@friendly_errors
def search(ctx: click.Context, query: tuple[str, ...], mode: str, limit: int, folder: str | None,
           types: tuple[str, ...], show_all: bool, as_json: bool) -> None:
    """Search your files for QUERY, by meaning and by words."""
    filters = SearchFilters(
        folder=str(Path(folder).expanduser().resolve()) if folder else None,
        types=tuple("." + t.lower().lstrip(".") for t in types),
    )
    cairn = open_cairn(ctx)
    if filters.folder is not None:
        _check_folder(Path(filters.folder), [Path(f.path) for f in cairn.folders()])
    text = typed_text(query, "Query")
    results = cairn.search(text, mode=mode, limit=limit, filters=filters)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps([_as_dict(r) for r in results], indent=2, ensure_ascii=False))
    elif not results:
        click.echo("No matches." if cairn.folders() else "No matches: no folder is indexed yet. Add one with "
                   "`cairn add FOLDER`.")
    else:
        _show_split(results, text, show_all)


def _check_folder(folder: Path, indexed: list[Path]) -> None:
    """A --folder outside every indexed folder (a typo, a folder never added) would only say "No matches"."""
    if not any(folder.is_relative_to(known) or known.is_relative_to(folder) for known in indexed):
        names = ", ".join(str(p) for p in indexed) or "none yet"
        raise FolderError(f"{folder} is not an indexed folder, nor inside one (indexed folders: {names}).")


def _as_dict(r: SearchResult) -> dict[str, object]:
    return {"path": r.path, "score": r.score, "text": r.text, "page": r.page, "start": r.start, "end": r.end,
            "heading": r.heading, "title": r.title, "snippet": r.snippet, "weak": r.weak,
            "from_scan": r.ocr_confidence is not None, "ocr_confidence": r.ocr_confidence,
            "note": scan_label(r.ocr_confidence), "container": container_of(r.path), "location": r.location}


def _show_split(results: list[SearchResult], query: str, show_all: bool) -> None:
    console = Console(highlight=False, soft_wrap=True)
    strong = [r for r in results if not r.weak]
    weak = [r for r in results if r.weak]
    if not strong:
        console.print(Text(f"Nothing in your files closely matches “{query}”; the nearest are:", style="bold"))
        _show(console, weak, 1, dim=True)
        return
    _show(console, strong, 1)
    if not weak:
        return
    files = f"{len(weak)} weakly related file{'s' if len(weak) != 1 else ''}"
    if show_all:
        console.print(Text(f"── {files} ──", style="dim"))
        _show(console, weak, len(strong) + 1, dim=True)
    else:
        console.print(Text(f"{files} not shown (--all to show them)", style="dim"))


def _show(console: Console, results: list[SearchResult], first: int, dim: bool = False) -> None:
    for n, r in enumerate(results, first):
        container = container_of(r.path)
        if container is None:
            where = r.path + (f"  ({page_label(r.path, r.page)})" if r.page else "")
        else:  # an attachment or archive member: what it is, then the mail or archive it came in
            where = f"{place_label(r.path, r.page, r.location)}  ({container})"
        scan = scan_label(r.ocr_confidence)
        console.print(Text(f"{n}. ", style="bold") + Text(where, style="cyan" if dim else "bold cyan")
                      + Text(f"  {r.score:.2f}", style="dim") + Text(f"  [{scan}]" if scan else "", style="magenta"))
        snippet = Text(r.snippet, style="dim" if dim else "")
        for start, end in r.highlights:
            snippet.stylize("bold yellow", start, end)
        console.print(Text("   ") + snippet)
