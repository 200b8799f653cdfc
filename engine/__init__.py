"""Cairn's headless engine: everything but the windows, behind one front door.

The names below are the whole API. The CLI (`engine.cli`), the desktop app, `cairn eval`
and the benchmarks' user-level parts import them from `engine` and nothing else from
inside it (an import-linter contract in CI keeps it so, see `.importlinter`). Nothing
in this package imports Qt.

Packages, by concern: `extract` (files to text), `indexing` (scan, index pass, watcher),
`store` (the SQLite index), `search`, `answer`, `embed`, `evaluate`; plumbing in
`runtime` (llama.cpp, the reader process, lock, log, passphrases).
"""

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

from engine.runtime import environment as _environment  # noqa: F401  (before numpy and llama.cpp load)

# The names are loaded on first use, so that `cairn --help`, the reader process and a Ctrl+C at start-up
# do not pay for (or wait on) numpy, SQLite and llama.cpp. tests/engine/test_front_door.py checks that this
# table and the imports for type checkers below name the same things.
_EXPORTS: dict[str, tuple[str, str]] = {  # name: (module, name there)
    "Answer": ("engine.answer", "Answer"),
    "AnswerSentence": ("engine.answer", "AnswerSentence"),
    "AnswerToken": ("engine.answer", "AnswerToken"),
    "Source": ("engine.answer", "Source"),
    "check_chat_model": ("engine.answer", "check_chat_model"),
    "listed_sources": ("engine.answer", "listed_sources"),
    "not_cited_note": ("engine.answer", "not_cited_note"),
    "resolve_chat_model": ("engine.answer", "resolve_chat_model"),
    "bundled_chat_model_path": ("engine.answer.chat", "bundled_chat_model_path"),
    "Cairn": ("engine.cairn", "Cairn"),
    "open_reader": ("engine.cairn", "open_reader"),
    "Paths": ("engine.config", "Paths"),
    "Settings": ("engine.config", "Settings"),
    "replace_private": ("engine.config", "replace_private"),
    "resolve_paths": ("engine.config", "resolve_paths"),
    "Embedder": ("engine.embed", "Embedder"),
    "load_embedder": ("engine.embed", "load_embedder"),
    "ModelPool": ("engine.embed.pool", "ModelPool"),
    "CairnError": ("engine.errors", "CairnError"),
    "Cancelled": ("engine.errors", "Cancelled"),
    "ConfigError": ("engine.errors", "ConfigError"),
    "ExtractionError": ("engine.errors", "ExtractionError"),
    "FolderError": ("engine.errors", "FolderError"),
    "IndexLockedError": ("engine.errors", "IndexLockedError"),
    "IndexReadOnly": ("engine.errors", "IndexReadOnly"),
    "ModelLoadError": ("engine.errors", "ModelLoadError"),
    "ModelMismatchError": ("engine.errors", "ModelMismatchError"),
    "PassphraseRequired": ("engine.errors", "PassphraseRequired"),
    "StoreError": ("engine.errors", "StoreError"),
    "UnsupportedFile": ("engine.errors", "UnsupportedFile"),
    "WrongPassphrase": ("engine.errors", "WrongPassphrase"),
    "EvalReport": ("engine.evaluate", "EvalReport"),
    "run_eval": ("engine.evaluate", "run_eval"),
    "Document": ("engine.extract", "Document"),
    "extensions_by_kind": ("engine.extract.kinds", "extensions_by_kind"),
    "WordBox": ("engine.extract.ocr.boxes", "WordBox"),
    "KeptScan": ("engine.extract.ocr.kept", "KeptScan"),
    "PagePicture": ("engine.extract.page_picture", "PagePicture"),
    "page_label": ("engine.extract.kinds", "page_label"),
    "place_label": ("engine.extract.kinds", "place_label"),
    "container_of": ("engine.extract.kinds", "container_of"),
    "scan_label": ("engine.extract.kinds", "scan_label"),
    "IndexProgress": ("engine.indexing", "IndexProgress"),
    "IndexReport": ("engine.indexing", "IndexReport"),
    "WatchUpdate": ("engine.indexing.live", "WatchUpdate"),
    "relay": ("engine.progress", "relay"),
    "run_to_result": ("engine.progress", "run_to_result"),
    "FileProblem": ("engine.records", "FileProblem"),
    "FolderStatus": ("engine.records", "FolderStatus"),
    "Status": ("engine.records", "Status"),
    "ModelSwitch": ("engine.records", "ModelSwitch"),
    "quiet_model_logs": ("engine.runtime.llama", "quiet"),
    "NEW_PASSPHRASE_ENV": ("engine.runtime.passphrase", "NEW_ENV"),
    "FileReader": ("engine.runtime.sandbox", "SandboxedExtractor"),
    "no_core_dumps": ("engine.runtime.sandbox", "no_core_dumps"),
    "MODES": ("engine.search", "MODES"),
    "Mode": ("engine.search", "Mode"),
    "SearchFilters": ("engine.search", "SearchFilters"),
    "SearchResult": ("engine.search", "SearchResult"),
    "Query": ("engine.search.query", "Query"),
    "match_spans": ("engine.search.snippet", "match_spans"),
}

if TYPE_CHECKING:
    from engine.answer import (Answer, AnswerSentence, AnswerToken, Source, check_chat_model, listed_sources,
                               not_cited_note, resolve_chat_model)
    from engine.answer.chat import bundled_chat_model_path
    from engine.cairn import Cairn, open_reader
    from engine.config import Paths, Settings, replace_private, resolve_paths
    from engine.embed import Embedder, load_embedder
    from engine.embed.pool import ModelPool
    from engine.errors import (CairnError, Cancelled, ConfigError, ExtractionError, FolderError, IndexLockedError,
                               IndexReadOnly, ModelLoadError, ModelMismatchError, PassphraseRequired, StoreError,
                               UnsupportedFile, WrongPassphrase)
    from engine.evaluate import EvalReport, run_eval
    from engine.extract import Document
    from engine.extract.kinds import container_of, extensions_by_kind, page_label, place_label, scan_label
    from engine.extract.ocr.boxes import WordBox
    from engine.extract.ocr.kept import KeptScan
    from engine.extract.page_picture import PagePicture
    from engine.indexing import IndexProgress, IndexReport
    from engine.indexing.live import WatchUpdate
    from engine.progress import relay, run_to_result
    from engine.records import FileProblem, FolderStatus, ModelSwitch, Status
    from engine.runtime.llama import quiet as quiet_model_logs
    from engine.runtime.passphrase import NEW_ENV as NEW_PASSPHRASE_ENV
    from engine.runtime.sandbox import SandboxedExtractor as FileReader, no_core_dumps
    from engine.search import MODES, Mode, SearchFilters, SearchResult
    from engine.search.query import Query
    from engine.search.snippet import match_spans


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'engine' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    # the front door and what it reports
    "Cairn", "Status", "FolderStatus", "FileProblem", "ModelSwitch", "IndexProgress", "IndexReport", "WatchUpdate",
    "SearchResult", "SearchFilters", "Mode", "MODES", "Query", "Answer", "AnswerSentence", "AnswerToken", "Source",
    "Document", "EvalReport", "KeptScan", "WordBox", "PagePicture",
    # settings and where files live
    "Settings", "Paths", "resolve_paths", "replace_private",
    # the error tree
    "CairnError", "Cancelled", "ConfigError", "ExtractionError", "FolderError", "IndexLockedError",
    "IndexReadOnly", "ModelLoadError", "ModelMismatchError", "PassphraseRequired", "StoreError",
    "UnsupportedFile", "WrongPassphrase",
    # helpers clients share
    "run_to_result", "relay", "page_label", "place_label", "container_of", "scan_label", "extensions_by_kind", "match_spans", "listed_sources",
    "not_cited_note", "resolve_chat_model", "check_chat_model", "bundled_chat_model_path", "Embedder",
    "load_embedder", "ModelPool", "FileReader", "open_reader", "run_eval", "quiet_model_logs", "no_core_dumps",
    "NEW_PASSPHRASE_ENV", "__version__",
]
