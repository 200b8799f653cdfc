"""The engine's front door: one object per Cairn home, used by the CLI and the GUI.

It owns the decisions that tie the parts together (which model, which database,
whether this process may write) so that clients only call verbs.
"""

from __future__ import annotations

import glob
import os
import threading
import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from engine.answer import ANSWER_MODES, Answer, AnswerToken, ChatModel, answer, load_chat_model, resolve_chat_model
from engine.config import Paths, Settings, resolve_paths
from engine.embed import ENGLISH, Embedder, ModelChoice, choose, suggestion, system_language
from engine.embed.choice import CHOICE_KEY, REASON_KEY
from engine.embed.pool import ModelPool
from engine.errors import ConfigError, FolderError, IndexReadOnly, ModelLoadError, ModelMismatchError, WrongPassphrase
from engine.indexing import Extractor, Indexer, IndexProgress, IndexReport
from engine.indexing.reembed import reembed
from engine.indexing.live import WatchUpdate, follow_folders
from engine.indexing.sample import first_languages
from engine.indexing.scan import reachable, shown, storable
from engine.records import FileProblem, FolderStatus, ModelSwitch, Status
from engine.extract import member_bytes
from engine.runtime import log, opened
from engine.runtime import passphrase as keys
from engine.runtime.lock import WriterLock
from engine.extract.ocr import languages as ocr_languages
from engine.extract.ocr import memo
from engine.extract.ocr.kept import KeptScan
from engine.extract.ocr.tesseract import use_languages
from engine.runtime.sandbox import Limits, SandboxedExtractor
from engine.search import Mode, SearchFilters, SearchResult, search
from engine.store import FolderRow, Store, discard_rekey_leftovers, is_encrypted, rekey
from engine.store.switch import Target

UNDETERMINED = "und"  # ISO 639-2's code for a language that could not be told


def open_reader(settings: Settings) -> SandboxedExtractor:
    """The limited reader process that reads files for indexing and for previews, with the settings' limits."""
    languages = ocr_languages.choose(settings.ocr_languages).tesseract
    use_languages(languages)  # this process too: the pages kept (ocr_pages) are keyed by it
    return SandboxedExtractor(Limits(settings.read_timeout_s, settings.read_memory_mb, languages))


class Cairn:
    """One Cairn home (its settings, index and models), opened by a client; every verb a client has."""

    def __init__(self, home: str | os.PathLike[str] | None = None, *, embedder: Embedder | None = None,
                 passphrase: str | None = None, extractor: Extractor | None = None,
                 models: ModelPool | None = None) -> None:
        self.paths: Paths = resolve_paths(home).ensure()
        self.read_only = self.paths.read_only  # opened to read only; every change refused (check_writable)
        self.log = log.setup(self.paths.log_file, required=not self.read_only)
        self.settings = Settings.load(self.paths)
        self._passphrase = passphrase or self._stored_passphrase()
        db = self.paths.index_db
        plain = db.exists() and db.stat().st_size > 0 and not is_encrypted(db)
        # a passphrase with no index yet creates it encrypted; an existing plain index stays plain until `encrypt`
        try:
            self.store = Store.open(db, readonly=self.read_only, key=None if plain else self._passphrase)
        except WrongPassphrase:
            if passphrase:
                raise
            raise WrongPassphrase(keys.stored_one_is_wrong()) from None
        self._embedder = embedder  # given by the caller: this index's one model, never switched from
        self._models = models or ModelPool()  # the app shares one between its Cairns
        self._first_languages: dict[str | None, int] | None = None  # of a new index's first files (model choice)
        self._chat: ChatModel | None = None
        self._extractor = extractor or open_reader(self.settings)
        self._lock = threading.Lock()
        self.writer = WriterLock(self.paths.lock_file)
        if not self.read_only:
            opened.sweep(self.paths.data)  # copies of attachments a killed process left open

    def member_copy(self, path: str) -> AbstractContextManager[Path]:
        """A private copy of an attachment or archive member ("<container>//<path inside>") to open it with its
        application, inside this home and removed when the `with` block ends (engine.runtime.opened)."""
        read = getattr(self._extractor, "member_bytes", None)
        reader = read if read is not None else (lambda p, n: member_bytes(p, n))
        return opened.member_copy(path, lambda p: reader(p, self.settings.max_file_bytes), self.paths.data)

    def close(self) -> None:
        if isinstance(self._extractor, SandboxedExtractor):
            self._extractor.close()
        if self._chat is not None:
            self._chat.close()
            self._chat = None
        self.store.close()

    def __enter__(self) -> "Cairn":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _stored_passphrase(self) -> str | None:
        return keys.stored(str(self.paths.index_db), in_keyring=self.settings.passphrase_in_keyring)

    def update_keyring(self) -> None:
        """Keep the passphrase that opened the index in the OS keyring, if the person chose to keep it there.

        The keyring can fall behind the index (a passphrase change killed between the
        swap and the keyring update); a client calls this once a typed passphrase worked."""
        if self.settings.passphrase_in_keyring and self._passphrase:
            keys.save_to_keyring(str(self.paths.index_db), self._passphrase)

    def check_writable(self) -> None:
        """Refuse a change to a read-only index before anything starts, with what to do about it."""
        if self.read_only:
            raise IndexReadOnly(
                f"The index at {self.paths.index_db} is read-only (a read-only mount, or no write permission on "
                f"it or its folder): search, ask and status work, but nothing can be indexed, added, forgotten "
                f"or changed. Make {self.paths.data} writable, or use a copy with --home DIR.")

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the writer lock, and delete what an interrupted re-key left (the copy is a whole index).

        Only the holder of the writer lock may: a re-key runs under it, so while it is
        held no re-key is running anywhere and a copy beside the index is a leftover."""
        self.check_writable()
        with self.writer:
            discard_rekey_leftovers(self.paths.index_db)
            yield

    @property
    def encrypted(self) -> bool:
        return is_encrypted(self.paths.index_db)

    def encrypt(self, new_passphrase: str, *, keep_in_keyring: bool = False) -> None:
        """Encrypt the index (or change its passphrase) in place; a crash during it loses nothing.

        `keep_in_keyring` starts keeping the passphrase in the OS keyring; once kept there,
        every change updates it (there is no way to stop keeping it, so an old passphrase
        left there would only make every later command fail)."""
        self.check_writable()
        if len(new_passphrase) < 8:
            raise ConfigError("Choose a passphrase of at least 8 characters.")
        with self.writer:
            self.store.close()
            try:
                rekey(self.paths.index_db, self._passphrase if self.encrypted else None, new_passphrase)
                self._passphrase = new_passphrase
                self.log.info("index encrypted with a new passphrase")
            finally:
                self.store = Store.open(self.paths.index_db, key=self._passphrase)
        if keep_in_keyring or self.settings.passphrase_in_keyring:
            keys.save_to_keyring(str(self.paths.index_db), new_passphrase)
        if keep_in_keyring and not self.settings.passphrase_in_keyring:
            self.settings.passphrase_in_keyring = True  # after the keyring took it: a failure there leaves this off
            self.settings.save(self.paths)

    # ------------------------------------------------------------ model

    @property
    def embedder(self) -> Embedder:
        """The model the index's vectors are from (a new index: the one it will take), which embeds queries.

        Loaded on first use: `cairn status` and keyword search never pay for it. During a model
        switch it stays the old model until the switch's last commit (engine/indexing/reembed.py)."""
        if self._embedder is not None:
            return self._embedder
        return self._models.get(self._indexed_model() or self.model_choice().model, self.settings.thread_count())

    def model_choice(self) -> ModelChoice:
        """The embedding model this index uses or will use ("english", "multilingual", a path) and why."""
        recorded, reason = self.store.get_meta(CHOICE_KEY), self.store.get_meta(REASON_KEY)
        if recorded is None and self.store.get_meta("model_id") is not None:  # built before there was a choice
            recorded, reason = ENGLISH, "this index was built with it"
        return choose(self.settings.embedding_model, recorded, reason, system_language(), self._first_languages)

    def _indexed_model(self) -> str | None:
        """The model the index's vectors are from (None: no vectors yet); "english" for an index older than the choice."""
        if self.store.get_meta("model_id") is None:
            return None
        return self.store.get_meta(CHOICE_KEY) or ENGLISH

    def _record_choice(self, choice: ModelChoice) -> None:
        """Kept in the index, so that its vectors' model stays chosen when the locale changes."""
        self.store.set_meta(CHOICE_KEY, choice.model)
        self.store.set_meta(REASON_KEY, choice.reason)

    def _switch_due(self) -> ModelChoice | None:
        """The chosen model when the index's vectors are from another one: the index pass re-embeds for it."""
        indexed = self._indexed_model()
        choice = self.model_choice()
        return choice if self._embedder is None and indexed is not None and choice.model != indexed else None

    def _carry_switch(self, cancel: threading.Event | None) -> Generator[IndexProgress, None, None]:
        """Re-embed for the chosen model while the old one serves search, then swap (resumes where it stopped)."""
        choice = self._switch_due()
        if choice is None:
            if self._embedder is None and self.store.switch_pending() is not None:
                self.store.abandon_switch()  # the index's own model was chosen again
            return
        new = self._models.get(choice.model, self.settings.thread_count())
        target = Target(new.model_id, new.model_name, new.dimensions, choice.model, choice.reason)
        started = time.monotonic()
        if (yield from reembed(self.store, new, target, cancel)):
            self._models.keep_only([choice.model])
            self.log.info("model switched to %s in %.1f s (this pass)", new.model_name, time.monotonic() - started)

    def _switch_status(self) -> ModelSwitch | None:
        pending = self.store.switch_pending()
        if pending is not None:
            return ModelSwitch(pending.target.model_name, pending.done, pending.total)
        due = self._switch_due()
        return None if due is None else ModelSwitch(due.model, 0, self.store.chunk_count())

    def _bound_embedder(self) -> Embedder:
        embedder = self.embedder
        choice = self.model_choice() if self.store.get_meta("model_id") is None else None
        self.store.bind_model(embedder.model_id, embedder.model_name, embedder.dimensions)
        if choice is not None:
            self._record_choice(choice)
        return embedder

    def _query_embedder(self, bound: Embedder) -> Embedder:
        """Inside a snapshot: the model whose vectors the snapshot holds (a switch may have committed since
        `bound` was taken), so the query and the vectors it is compared with are one model's."""
        if bound.model_id == self.store.get_meta("model_id"):
            return bound
        embedder = self.embedder
        if embedder.model_id != self.store.get_meta("model_id"):
            raise ModelMismatchError(f"This index was built with {self.store.get_meta('model_name')}, which is no "
                                     "longer where it was. Run `cairn reindex` to re-embed your files.")
        return embedder

    # ------------------------------------------------------------ folders

    def add_folder(self, folder: str | os.PathLike[str], excludes: Sequence[str] = ()) -> FolderRow:
        self.check_writable()
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise FolderError(f"{shown(str(path))} is not a folder Cairn can read.")
        if not storable(str(path)):
            raise FolderError(f"The name of {shown(str(path))} is not valid UTF-8: rename it to index it.")
        for existing in self.store.folders():
            known = Path(existing.path)
            if path == known:  # added again: keep its exclusions (what was forgotten stays forgotten), add the new
                return self.store.add_folder(existing.path, [*existing.excludes,
                                                             *(e for e in excludes if e not in existing.excludes)])
            if _inside(path, known):
                raise FolderError(f"{path} is already indexed as part of {known}.")
            if _inside(known, path):
                raise FolderError(f"{path} contains the indexed folder {known}: remove that one first.")
        return self.store.add_folder(str(path), [*self.settings.excludes, *excludes])

    def remove_folder(self, folder: str | os.PathLike[str]) -> int:
        path = str(Path(folder).expanduser().resolve())
        row = self.store.folder_by_path(path) or self.store.folder_by_path(str(Path(folder).expanduser()))
        if row is None:
            known = ", ".join(f.path for f in self.store.folders()) or "none"
            raise FolderError(f"{path} is not an indexed folder (indexed folders: {known}).")
        with self._writing():
            count = self.store.remove_folder(row.id)
            self.store.wipe_freed()
        return count

    def forget(self, target: str | os.PathLike[str]) -> int:
        """Delete a file's or folder's passages, vectors and keyword rows for good, and stop indexing it."""
        path = Path(target).expanduser().absolute()
        folder = next((f for f in self.store.folders() if _inside(path, Path(f.path))), None)
        if folder is None:
            raise FolderError(f"{path} is not inside an indexed folder.")
        if not os.path.lexists(path) and not self.store.files_under(folder.id, str(path)):
            # a typo would otherwise become an exclusion that hides nothing, while the meant file stays indexed
            raise FolderError(f"{path} does not exist and nothing is indexed there: check the path.")
        with self._writing():
            if str(path) == folder.path:
                count = self.store.remove_folder(folder.id)
            else:
                rows = self.store.files_under(folder.id, str(path))
                self.store.delete_files([r.id for r in rows.values()])
                rel = glob.escape(path.relative_to(folder.path).as_posix())
                self.store.update_folder_excludes(folder.id, [*folder.excludes, "/" + rel])
                count = len(rows)
            self.store.wipe_freed()
        self.log.info("forgot %d files", count)
        return count

    def set_folder_excludes(self, folder: str, excludes: Sequence[str]) -> None:
        """Change a folder's exclusions; the next pass drops files now excluded and adds ones now included."""
        self.check_writable()
        row = self.store.folder_by_path(folder)
        if row is None:
            raise FolderError(f"{folder} is not an indexed folder.")
        self.store.update_folder_excludes(row.id, excludes)

    def folders(self) -> list[FolderRow]:
        return self.store.folders()

    # ------------------------------------------------------------ indexing

    def index(self, cancel: threading.Event | None = None, scopes: Sequence[str] | None = None
              ) -> Generator[IndexProgress, None, IndexReport]:
        """One sync pass over every folder (or only over `scopes`, paths inside them)."""
        with self._writing():
            self._sample_first_files()
            embedder = self._bound_embedder()
            indexer = Indexer(self.store, embedder, self.settings.max_file_bytes, self._extractor)
            report = yield from indexer.run(self.store.folders(), cancel, scopes)
            yield from self._carry_switch(cancel)
        self.log.info("index pass: %d added, %d updated, %d moved, %d removed, %d unchanged, %d failed, "
                      "%d passages in %.1f s", report.added, report.updated, report.moved, report.removed,
                      report.unchanged, report.failed, report.chunks, report.seconds)
        return report

    def _sample_first_files(self) -> None:
        """A new index left to choose its model, on an English system: read the languages of its first files."""
        undecided = (self._embedder is None and not self.settings.embedding_model
                     and self.store.get_meta("model_id") is None and self.store.get_meta(CHOICE_KEY) is None)
        if undecided and system_language() in ("en", None) and self._first_languages is None:
            roots = [(f.path, f.excludes) for f in self.store.folders()]
            self._first_languages = first_languages(roots, self._extractor, self.settings.max_file_bytes)

    def reindex(self, cancel: threading.Event | None = None) -> Generator[IndexProgress, None, IndexReport]:
        """Embed everything again: for another chosen model, in search's background (the old vectors serve it
        until every passage has its new one; an index pass also goes on with it); for the same model, or when
        the old one cannot be loaded any more, every file is read and embedded again from nothing."""
        self.check_writable()
        if self._switch_due() is not None and self._old_model_serves():
            return (yield from self.index(cancel))
        choice = self.model_choice()
        embedder = self._embedder or self._models.get(choice.model, self.settings.thread_count())
        with self.writer:
            self.store.rebind_model(embedder.model_id, embedder.model_name, embedder.dimensions)
            self._record_choice(choice)
        return (yield from self.index(cancel))

    def _old_model_serves(self) -> bool:
        try:
            return self.embedder.model_id == self.store.get_meta("model_id")
        except ModelLoadError:
            return False

    def watch(self, stop: threading.Event, debounce: float = 0.5) -> Generator[WatchUpdate, None, None]:
        """Reconcile what changed while Cairn was closed, then follow changes until `stop` is set."""
        self.check_writable()
        with self.writer:
            yield from follow_folders(self.store, self.index, stop, debounce)

    # ------------------------------------------------------------ search

    def search(self, query: str, *, mode: Mode = "hybrid", limit: int = 10,
               filters: SearchFilters | None = None) -> list[SearchResult]:
        embedder = self._bound_embedder() if mode != "keyword" else None
        started = time.monotonic()
        with self.store.snapshot():
            embedder = embedder and self._query_embedder(embedder)
            results = search(self.store, embedder, query, mode=mode, limit=limit, filters=filters)
        self.log.info("%s search: %d results in %.0f ms", mode, len(results), (time.monotonic() - started) * 1000)
        return results

    # ------------------------------------------------------------ answers

    def ask(self, question: str, *, limit: int = 5, generative: bool | None = None,
            cancel: threading.Event | None = None) -> Generator[AnswerToken, None, Answer]:
        """Answer from the indexed files: streams `AnswerToken`s, returns the checked `Answer`.

        `generative=None` follows the `answer_mode` setting. A question the files do not
        answer is refused without loading the chat model."""
        mode = self.settings.answer_mode if generative is None else ("generative" if generative else "extractive")
        if mode not in ANSWER_MODES:
            raise ConfigError(f"Unknown answer_mode {mode!r} in the settings: use {' or '.join(ANSWER_MODES)}.")
        embedder = self._bound_embedder()
        started = time.monotonic()
        with self.store.snapshot():
            result = yield from answer(self.store, self._query_embedder(embedder), question, limit=limit,
                                       cancel=cancel, chat=self.chat_model if mode == "generative" else None)
        self.log.info("%s answer: %d sentences (%d supported), %d sources in %.0f ms", result.kind,
                      len(result.sentences), sum(s.supported for s in result.sentences), len(result.sources),
                      (time.monotonic() - started) * 1000)
        return result

    def chat_model(self) -> ChatModel:
        """The chat model of the settings (else the installed default), loaded once and kept."""
        path = resolve_chat_model(self.settings, self.paths)
        if path is None:
            raise ModelLoadError(
                "No chat model is installed: run packaging/fetch_chat_model.py (setup.sh does) or set chat_model "
                "to a GGUF chat model file. Answers quoted from your files work without one.")
        with self._lock:
            if self._chat is None or self._chat.path != path.expanduser():
                old, self._chat = self._chat, None
                if old is not None:
                    old.close()
                self._chat = load_chat_model(path, self.settings.thread_count())
            return self._chat

    # ------------------------------------------------------------ status

    def kept_scan(self, path: str | os.PathLike[str]) -> KeptScan | None:
        """The pages OCR read of the file at `path` as it was indexed, None when none are kept: the preview
        reads the file with them (no page is read by OCR again) and boxes the words on the page picture."""
        row = self.store.file_by_path(str(path))
        if row is None or row.hash is None:
            return None
        setup = memo.setup()
        pages = {n: memo.page_from_cache(*kept) for n, kept in self.store.ocr_pages(row.hash, setup).items()}
        return KeptScan(row.hash, pages) if pages else None

    def status(self) -> Status:
        folders = []
        languages = self.store.folder_languages()
        for row, counts, chunks in self.store.folder_stats():
            files = sum(counts.values())
            spoken = {language or UNDETERMINED: n for language, n in languages.get(row.id, {}).items()}
            folders.append(FolderStatus(row.path, row.excludes, files, chunks, counts, reachable(row.path, files),
                                        spoken))
        dims = self.store.vector_dimensions()
        choice = self.model_choice()
        switch = self._switch_status()
        problems = tuple(FileProblem(*p) for p in self.store.problem_files())
        ocr = ocr_languages.choose(self.settings.ocr_languages)
        return Status(
            home=str(self.paths.data), database=str(self.paths.index_db), model=self.store.get_meta("model_name"),
            dimensions=dims, folders=tuple(folders), files=sum(f.files for f in folders),
            chunks=sum(f.chunks for f in folders), problems=problems, watcher=self._watcher_state(),
            model_choice=choice.model, model_reason=choice.reason,
            suggestion=None if switch else suggestion(self._indexed_model() or choice.model, self.store.languages()),
            switch=switch,
            ocr_languages=ocr.reading, ocr_missing=ocr.missing, ocr_pages=self.store.ocr_pages_kept(),
        )

    def _watcher_state(self) -> dict[str, object] | None:
        state = self.store.watch_state()
        pid = state.get("pid") if state else None
        if not state or not isinstance(pid, int) or not _alive(pid):
            return None
        return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return pid > 0


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
    except ValueError:
        return False
    return True
