"""Keep a failure after reading to the file it happened on (issue #22).

Reading runs in the sandboxed reader, whose failures are recorded against the file.
Splitting, embedding and writing ran in the pass itself, so one file whose text SQLite
refused (a lone surrogate from a PDF) ended the pass with a traceback, and every later
pass ended on the same file. Now any exception there is recorded against the file (its
transaction rolled back first), logged without the file's text or path, and the pass goes
on. A file that failed is tried again only when it changes, when its reader's version
changes (engine.extract.READER_VERSIONS), or on the first full pass of another Cairn
version (`ENGINE_VERSION`): so it cannot wedge every pass.

What is not one file's fault must still end the pass, or every file behind it would be
marked failed and never retried: a full disk, a damaged or locked database
(`engine.store.store_wide`), or an embedder that no longer embeds anything (checked with a probe).
"""

from __future__ import annotations

import traceback
from pathlib import Path

import engine
from engine.runtime import log

ENGINE_VERSION = engine.__version__  # a new version may index what an older one could not
ENGINE_VERSION_KEY = "failures_retried_by"  # meta: the version whose full pass last retried every failed file
PROBE_TEXT = "probe"  # embedded after a file's embedding failed: if this fails too, the embedder is broken

# Stages after reading, as a reason names them.
READING, SPLITTING, EMBEDDING, WRITING = "reading it", "splitting it into passages", "embedding it", "writing it"


def reason(stage: str, exc: BaseException) -> str:
    """What `cairn status` and the Problems list show; the exception's message is left out (it may quote text)."""
    return f"could not be indexed ({type(exc).__name__} while {stage}); tried again when it changes or Cairn is updated"


def log_failure(file_id: int, stage: str, exc: BaseException) -> None:
    """The details a developer needs (kind, stage, where in the code), without the file's text or path."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    where = " < ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    log.get().warning("file #%d failed while %s: %s at %s", file_id, stage, type(exc).__name__, where or "?")
