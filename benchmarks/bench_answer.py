"""Answer speed: extractive latency after retrieval, generative time to first token and tokens/s.

    .venv/bin/python benchmarks/bench_answer.py [--pages 40] [--questions 20]

Files: `--pages` installed manual pages (their first 5,000 characters, a few passages
each), one text file each, indexed by the real pipeline
into a temporary Cairn home. Questions: "How do I <NAME line>?" for pages in the index
(answerable) and a few unrelated ones (refused).

Extractive: retrieval (hybrid search for passages + their similarities) is timed apart from
what follows it (sentence split, embedding of the sentences, relevance decision, selection),
which is the figure with a target (<= 300 ms).
Generative, default chat model: the prompt is built from the five retrieved sources' best
sentences (relevance filter off, so all five are in it) within the usual token budget; time
to first token is from the call to the first streamed piece (tokenizing and reading the
prompt included); generation speed is pieces after the first over the time they took.
Also the whole `Cairn.ask(generative=True)` to its first token, as a person waits for it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.textsource import man_pages  # noqa: E402
from engine.answer import prompt as prompt_module  # noqa: E402
from engine.answer.answerer import ANSWER_TOKENS  # noqa: E402
from engine.answer.chat import bundled_chat_model_path  # noqa: E402
from engine.answer.extractive import as_sentences, select  # noqa: E402
from engine.answer.prompt import build_prompt  # noqa: E402
from engine.answer.retrieve import is_answerable, retrieve  # noqa: E402
from engine.answer.sentences import score_sentences  # noqa: E402
from engine.cairn import Cairn  # noqa: E402

PAGE_CHARS = 5000
UNRELATED = ["What is the capital of Peru?", "Who painted the Mona Lisa?", "How do I bake chocolate chip cookies?",
             "What is the boiling point of mercury?", "Which wine goes with fish?"]


def build(home: Path, pages: int) -> tuple[Cairn, list[str]]:
    docs = home / "docs"
    docs.mkdir(parents=True)
    questions = []
    for _, name, body in man_pages(min_chars=1500):
        command, _, what = name.partition(" - ")
        body = body[:PAGE_CHARS].rsplit("\n\n", 1)[0]  # the first screens: a few passages per page
        (docs / f"{command.strip().split()[0]}.txt").write_text(body, encoding="utf-8")
        questions.append(f"How do I {what.strip().rstrip('.')}?")
        if len(questions) >= pages:
            break
    cairn = Cairn(home / "cairn")
    cairn.add_folder(docs)
    started = time.monotonic()
    for _ in cairn.index():
        pass
    print(f"indexed {len(questions)} manual pages, {cairn.status().chunks} passages "
          f"in {time.monotonic() - started:.0f} s")
    return cairn, questions


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return f"median {statistics.median(values) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms, max {values[-1] * 1000:6.1f} ms"


def extractive(cairn: Cairn, questions: list[str]) -> None:
    embedder = cairn._bound_embedder()
    retrieval, after, sentences, answered = [], [], [], 0
    for question in questions + UNRELATED:
        t0 = time.perf_counter()
        found = retrieve(cairn.store, embedder, question, 5)
        t1 = time.perf_counter()
        scored = score_sentences(found.sources, question, found.question_vector, embedder)
        if is_answerable(question, found.sources, scored):
            as_sentences(select(scored))
            answered += 1
        t2 = time.perf_counter()
        retrieval.append(t1 - t0)
        after.append(t2 - t1)
        sentences.append(len(scored))
    print(f"\nextractive, {len(questions)} questions about the pages + {len(UNRELATED)} unrelated "
          f"({answered} answered, the rest refused); 5 sources, {statistics.mean(sentences):.0f} sentences weighed on average")
    print(f"  retrieval:              {ms(retrieval)}")
    print(f"  answer after retrieval: {ms(after)}   (target <= 300 ms)")


def generative(cairn: Cairn, questions: list[str], runs: int) -> None:
    embedder = cairn._bound_embedder()
    started = time.monotonic()
    chat = cairn.chat_model()
    print(f"\ngenerative, {chat.name} ({chat.path.name}); loaded in {time.monotonic() - started:.2f} s")
    prompt_module.RELATIVE_FLOOR = 0.0  # all five sources in the prompt, as the target says
    prompt_module.ABSOLUTE_FLOOR = -1.0
    ttft, speed, tokens, sources = [], [], [], []
    for question in questions[:runs]:
        found = retrieve(cairn.store, embedder, question, 5)
        scored = score_sentences(found.sources, question, found.question_vector, embedder)
        prompt = build_prompt(chat, question, scored)
        t0 = time.perf_counter()
        stamps = [time.perf_counter() for _ in chat.stream(prompt.text, max_tokens=ANSWER_TOKENS)]
        ttft.append(stamps[0] - t0)
        if len(stamps) > 1:
            speed.append((len(stamps) - 1) / (stamps[-1] - stamps[0]))
        tokens.append(prompt.tokens)
        sources.append(len(prompt.excerpts))
    print(f"  prompt: {statistics.mean(tokens):.0f} tokens on average, {statistics.mean(sources):.1f} sources")
    print(f"  time to first token: {ms(ttft)}   (target <= 1.5 s)")
    print(f"  prompt reading: {statistics.mean(tokens) / statistics.mean(ttft):.0f} tokens/s; "
          f"generation: median {statistics.median(speed):.0f} tokens/s")
    prompt_module.RELATIVE_FLOOR, prompt_module.ABSOLUTE_FLOOR = 0.6, 0.3
    whole = []
    for question in questions[:runs]:
        t0 = time.perf_counter()
        job = cairn.ask(question, generative=True)
        next(job)
        whole.append(time.perf_counter() - t0)
        for _ in job:
            pass
    print(f"  Cairn.ask(generative=True) to its first token (retrieval, check of relevance, prompt): {ms(whole)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--generations", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cairn-bench-answer-") as tmp:
        cairn, questions = build(Path(tmp), args.pages)
        extractive(cairn, questions[: args.questions])
        if bundled_chat_model_path().exists() or cairn.settings.chat_model:
            generative(cairn, questions, args.generations)
        else:
            print("\nno chat model installed: run packaging/fetch_chat_model.py for the generative figures")
        cairn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
