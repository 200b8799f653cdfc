"""Answer quality: right answers, wrong answers shown, refusals, and wrong claims that reach the screen.

    .venv/bin/python benchmarks/bench_answer_quality.py [--pages 30] [--modes extractive,generative] [--show 5]
        [--home DIR]   (keeps the index in DIR; a second run, e.g. on another branch, skips indexing)

The question set is built by benchmarks/answer_questions.py from the manual pages installed
here (`--pages 30`: 30 pages indexed, 120 questions they answer, 35 they do not); the pages are
indexed by the real pipeline into a temporary Cairn home and every question is asked through
`Cairn.ask`, as `cairn ask` does, in each mode (generative: the configured or bundled chat model),
one question after another in a fixed shuffled order, both modes per question.

What is counted, per mode:
* right: a sentence of the answer holds by the option's own entry (and names the flag when the
  question asks which option); for extractive answers also whether the *first* sentence does;
* wrong answer shown: answered (not refused), not right;
* refused although the answer was there; answered although it was not;
* wrong claims shown: answered questions with at least one sentence *on screen* that no single
  paragraph of the indexed pages supports (the judge, `answer_questions.claim_holds`: flags,
  numbers, negation and 60% of the words of one paragraph). On screen means the final answer's
  sentences (those marked unsupported counted apart) and, separately, any text streamed as the
  model wrote it (main's CLI printed that draft before the check).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.answer_questions import Question, answers, build, holds_anywhere  # noqa: E402
from engine.answer.check import generated_sentences  # noqa: E402
from engine.cairn import Cairn  # noqa: E402


@dataclass
class Tally:
    mode: str
    answerable: int = 0
    absent: int = 0
    right: int = 0
    first_right: int = 0
    wrong_shown: int = 0
    refused_answerable: int = 0
    answered_absent: int = 0
    answered: int = 0
    wrong_claims: int = 0  # answered questions with a false sentence in the final answer (not marked)
    marked: int = 0  # ... with a false sentence shown marked "unsupported"
    wrong_draft: int = 0  # ... with a false sentence in the streamed draft
    fallbacks: int = 0
    seconds: float = 0.0
    examples: list[str] = field(default_factory=list)

    def rows(self) -> list[str]:
        a, answered = max(self.answerable, 1), max(self.answered, 1)
        return [
            f"{self.mode}: {self.answerable} answerable + {self.absent} unanswerable questions, "
            f"{self.seconds / max(self.answerable + self.absent, 1):.1f} s per question",
            f"  right answers                    {self.right:4d}  ({self.right / a:.0%} of answerable)",
            f"  first sentence right             {self.first_right:4d}  ({self.first_right / a:.0%})",
            f"  wrong answers shown              {self.wrong_shown:4d}  ({self.wrong_shown / a:.0%})",
            f"  refused, answer was there        {self.refused_answerable:4d}  ({self.refused_answerable / a:.0%})",
            f"  answered, answer was not there   {self.answered_absent:4d}  "
            f"({self.answered_absent / max(self.absent, 1):.0%} of unanswerable)",
            f"  wrong claims shown (answer)      {self.wrong_claims:4d}  ({self.wrong_claims / answered:.1%} of "
            f"{self.answered} answered)",
            f"  wrong claims marked unsupported  {self.marked:4d}  ({self.marked / answered:.1%})",
            f"  wrong claims in streamed draft   {self.wrong_draft:4d}  ({self.wrong_draft / answered:.1%})",
            f"  generated answer replaced by quotes {self.fallbacks}",
        ]


def index(home: Path, files: dict[str, str]) -> Cairn:
    """The pages indexed into `home`; a home an earlier run indexed (`--home`) is opened as it is."""
    if (home / "cairn" / "data" / "index.db").exists() and (home / "docs").is_dir():
        kept = {p.name: p.read_text(encoding="utf-8") for p in (home / "docs").iterdir()}
        if kept != files:
            raise SystemExit(f"{home} holds other pages than this machine's set: use a new --home")
        return Cairn(home / "cairn")
    docs = home / "docs"
    docs.mkdir(parents=True)
    for name, text in files.items():
        (docs / name).write_text(text, encoding="utf-8")
    cairn = Cairn(home / "cairn")
    cairn.add_folder(docs)
    for _ in cairn.index():
        pass
    return cairn


def run(cairn: Cairn, files: dict[str, str], questions: Sequence[Question], modes: Sequence[str], show: int,
        every: int) -> list[Tally]:
    """Each question in every mode in turn, so that a run stopped early still compares the modes on
    the same questions; the tallies so far are printed every `every` questions."""
    tallies = [Tally(mode) for mode in modes]
    for done, question in enumerate(questions, 1):
        for tally in tallies:
            started = time.monotonic()
            job = cairn.ask(question.text, generative=tally.mode == "generative")
            streamed: list[str] = []
            while True:
                try:
                    token = next(job)
                except StopIteration as stop:
                    result = stop.value
                    break
                if token.kind == "generative":
                    streamed.append(token.text)
            _judge(tally, files, question, result, "".join(streamed), show)
            tally.seconds += time.monotonic() - started
        if every and done % every == 0 and done < len(questions):
            print(f"--- after {done} questions", flush=True)
            for tally in tallies:
                print("\n".join(tally.rows()), flush=True)
    return tallies


def _judge(tally: Tally, files: dict[str, str], question: Question, result: object, draft: str, show: int) -> None:
    kind = getattr(result, "kind")
    sentences = getattr(result, "sentences")
    shown = [s.text for s in sentences if s.supported]
    marked = [s.text for s in sentences if not s.supported]
    answered = kind != "refusal"
    if getattr(result, "raw", None) is not None and kind == "extractive":
        tally.fallbacks += 1
    if question.entry is None:
        tally.absent += 1
        tally.answered_absent += answered
    else:
        tally.answerable += 1
        if not answered:
            tally.refused_answerable += 1
        else:
            right = any(answers(s, question) for s in shown)
            tally.right += right
            tally.first_right += bool(shown) and answers(shown[0], question)
            tally.wrong_shown += not right
    if not answered:
        return
    tally.answered += 1
    false = [s for s in shown if not holds_anywhere(s, files)]
    tally.wrong_claims += bool(false)
    tally.marked += any(not holds_anywhere(s, files) for s in marked)
    tally.wrong_draft += any(not holds_anywhere(s, files) for s in generated_sentences(draft))
    if false and len(tally.examples) < show:
        tally.examples.append(f"  Q: {question.text}\n     shown: {false[0]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--modes", default="extractive,generative")
    parser.add_argument("--show", type=int, default=5, help="wrong claims shown to print per mode")
    parser.add_argument("--limit", type=int, default=0, help="ask only the first N questions (a quick look)")
    parser.add_argument("--every", type=int, default=25, help="print the tallies so far every N questions")
    parser.add_argument("--home", help="index into this folder and keep it; a later run with it skips indexing")
    args = parser.parse_args()
    files, questions = build(args.pages)
    random.Random(23).shuffle(questions)  # a fixed mix, so the first N questions are a fair sample of all
    if args.limit:
        questions = questions[: args.limit]
    with tempfile.TemporaryDirectory(prefix="cairn-bench-quality-") as tmp:
        started = time.monotonic()
        cairn = index(Path(args.home or tmp), files)
        print(f"{len(files)} manual pages indexed in {time.monotonic() - started:.0f} s; {len(questions)} questions "
              f"({sum(q.entry is None for q in questions)} unanswerable)", flush=True)
        print("=== all questions" if not args.limit else f"=== the first {args.limit} questions", flush=True)
        for tally in run(cairn, files, questions, args.modes.split(","), args.show, args.every):
            print("\n".join(tally.rows()))
            if tally.examples:
                print("  examples of wrong claims shown:")
                print("\n".join(tally.examples))
        cairn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
