"""`cairn ask`: an answer from your files, checked and cited, printed once.

While the chat model writes, a status line counts its tokens; the answer is printed once
it is checked: each sentence with its [n] markers (sentences not found in the sources are
left out and counted in a note), then the numbered sources with file, page and character span. `--show-context` prints
exactly what was weighed: the numbered passages and the prompt the model read.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Generator
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from engine import (
    Answer, AnswerToken, container_of, listed_sources, not_cited_note, page_label, place_label, run_to_result, scan_label,
)
from engine.cli.base import cli, friendly_errors
from engine.cli.common import open_cairn, typed_text


@cli.command(short_help="Answer a question from your files, with citations.", epilog="""\b
Examples:
  cairn ask "when must the tax declaration be filed?"
  cairn ask "who keeps the deposit?" --generate
  cairn ask "who keeps the deposit?" --show-context
  cairn ask -   (typed after: not in ps or history)""")
@click.argument("question", nargs=-1, required=True)
@click.option("--limit", type=click.IntRange(1, 20), default=5, show_default=True, help="How many passages to use.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON (no streaming).")
@click.option("--show-context", is_flag=True, help="Also print the numbered passages and the exact prompt.")
@click.option("--generate/--extractive", "generative", default=None,
              help="Write the answer with the chat model, or quote sentences from your files "
                   "(default: the answer_mode setting).")
@click.pass_context
@friendly_errors
def ask(ctx: click.Context, question: tuple[str, ...], limit: int, as_json: bool, show_context: bool,
        generative: bool | None) -> None:
    """Answer QUESTION from your indexed files, citing file, page and passage."""
    cairn = open_cairn(ctx)
    console = Console(highlight=False, soft_wrap=True)
    cancel = threading.Event()
    job = cairn.ask(typed_text(question, "Question"), limit=limit, generative=generative, cancel=cancel)
    try:
        answer = _run(job, console, stream=not as_json)
    except KeyboardInterrupt:
        cancel.set()
        raise
    if as_json:
        click.echo(json.dumps(answer.as_dict(), indent=2, ensure_ascii=False))
        return
    _show(answer, console)
    if show_context:
        _show_context(answer, console)


def _run(job: Generator[AnswerToken, None, Answer], console: Console, *, stream: bool) -> Answer:
    """Drive the answer. While the chat model writes, a status line on stderr counts its tokens; the
    answer itself is printed once, checked and cited, by `_show` (nothing unchecked reaches the screen)."""
    status = Console(stderr=True, highlight=False).status("Looking through your files…") if stream else None

    def show(token: AnswerToken) -> None:
        if status is not None and token.kind == "progress":
            status.update(f"The chat model is writing… {token.tokens} tokens (checked before it is shown)")

    if status is None:
        return run_to_result(job, show)
    with status:
        return run_to_result(job, show)


def _show(answer: Answer, console: Console) -> None:
    if answer.kind == "refusal":
        console.print(Text(answer.text, style="bold"))
    else:
        line = Text()
        for sentence in answer.sentences:
            line.append(" " if line.plain else "")
            if sentence.supported:  # the others are left out: the note counts them, --json has them
                line.append(sentence.text)
                line.append(" " + "".join(f"[{n}]" for n in sentence.citations), style="bold cyan")
        console.print(line)
    if answer.note:
        console.print(Text(answer.note, style="dim"))
    if answer.sources:
        console.print()
        console.print(Text("Closest passages:" if answer.kind == "refusal" else "Sources:", style="bold"))
    cited = _cited_spans(answer)
    for source in listed_sources(answer):
        spans = cited.get(source.n) or [(source.start, source.end)]
        where = ", ".join(f"chars {a}-{b}" for a, b in spans)
        page = f", {page_label(source.path, source.page)}" if source.page else ""
        scan = scan_label(source.ocr_confidence)
        name = source.path
        if (container := container_of(source.path)) is not None:  # cited from an attachment: name the mail too
            name, page = f"{place_label(source.path, source.page, source.location)} ({container})", ""
        console.print(Text(f"[{source.n}] ", style="bold cyan") + Text(name) + Text(f"{page}, {where}", style="dim")
                      + Text(f" ({scan})" if scan else "", style="magenta"))
    others = not_cited_note(answer, "--show-context")
    if others:
        console.print(Text(others, style="dim"))


def _cited_spans(answer: Answer) -> dict[int, list[tuple[int, int]]]:
    """For each source, the spans of the sentences the answer took from it."""
    found: dict[int, list[tuple[int, int]]] = {}
    for sentence in answer.sentences:
        for n, (start, end) in zip(sentence.citations, sentence.spans):
            if (start, end) not in found.setdefault(n, []):
                found[n].append((start, end))
    return found


def _show_context(answer: Answer, console: Console) -> None:
    console.print()
    console.print(Text("Passages weighed:", style="bold"))
    for source in answer.sources:
        page = f", {page_label(source.path, source.page)}" if source.page else ""
        scan = scan_label(source.ocr_confidence)
        console.print(Text(f"[{source.n}] {place_label(source.path, source.page, source.location)}, chars {source.start}-{source.end}"
                           + (f" ({scan})" if scan else ""), style="bold cyan"))
        console.print(source.text)
    console.print()
    if answer.prompt:
        console.print(Text(f"Prompt given to {answer.model or 'the chat model'} (exactly as it read it):", style="bold"))
        console.print(Text(answer.prompt))
    else:
        console.print(Text("No chat model was used: the answer quotes the passages above.", style="bold"))
