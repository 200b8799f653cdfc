"""One indexing pass: bring the index in line with the folders on disk.

Cheap where nothing changed (a stat per file), honest where something failed (the
reason is stored against the file and indexing goes on), and fast where work is
needed: a reader thread extracts and chunks the next files while the embedder
works on the current batch, so extraction overlaps with embedding.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import cast

import numpy as np

from engine.indexing import contain, contained, mailbox
from engine.indexing.chunk import Chunk, ChunkSizes, chunk_document
from engine.indexing.passage import embedding_text
from engine.embed import Embedder
from engine.errors import Cancelled, ExtractionError, ModelLoadError, UnsupportedFile
from engine.extract import Document, extract, extract_message, is_supported, reader_version
from engine.extract.document import Member
from engine.extract.enclosed import member_path
from engine.extract.files import PERMISSION, TOO_LARGE, os_reason
from engine.extract.files import content_hash as file_hash
from engine.extract.members import CONTAINERS
from engine.extract.kinds import kind_for
from engine.extract.ocr import memo
from engine.extract.ocr.tesseract import OcrPage
from engine.indexing.scan import Seen, Unreadable, reachable, walk
from engine.language import identify
from engine.store import FileOutcome, FileRow, FolderRow, NewChunk, Store, keyword_context, store_wide

# Embed each chunk with its place (file title › section headings) on a line above it, when that
# fits the model's input: "Core Language" says what a bare code example is about. Only the vector
# changes; the stored text and spans stay the document's own. (Measured: see docs/evaluation.md.)
EMBED_PLACE = True
PARTIAL = "only partly read: text beyond Cairn's limits (size, pages, reading time, damaged parts) was left out"
EMBED_BATCH = 32  # chunks per embedder call, across files
READ_AHEAD = 16  # extracted files waiting for the embedder (bounds memory)
CANCEL_POLL_SECONDS = 0.1  # how soon a pass waiting for a slow file notices it was stopped
RACY_SECONDS = 2.0  # the coarsest common timestamp step (FAT); see _racy


@dataclass(frozen=True)
class IndexProgress:
    phase: str  # "scanning", "indexing", "done"; "re-embedding" (a model switch): files_* count passages
    files_total: int = 0
    files_done: int = 0
    chunks_done: int = 0
    chunks_per_second: float = 0.0
    eta_seconds: float | None = None
    current: str | None = None
    errors: int = 0
    # OCR, which comes last (files OCR may read are indexed after all others): the pictures and PDFs
    # still to read, the pages OCR has read in this pass, its measured time per page, and the time
    # the files left should take at the rate measured on this pass's scans so far. Pages left are not
    # known before a scan is read: counting them would parse untrusted files outside the reader process.
    scans_left: int = 0
    ocr_pages_read: int = 0
    ocr_seconds_per_page: float | None = None
    scans_eta_seconds: float | None = None
    # A mailbox being read a message at a time (engine.indexing.mailbox): which, how many of its bytes are
    # passed, of how many, and the time the rest should take at the rate its messages were read so far.
    mailbox: str | None = None
    mailbox_done: int = 0
    mailbox_total: int = 0
    mailbox_eta_seconds: float | None = None


@dataclass
class _OcrTally:
    """What OCR cost in this pass (updated by the reader thread, read by the writer's progress)."""

    pages: int = 0  # pages OCR read (pages kept from before not counted)
    page_seconds: float = 0.0  # time reading the files those pages are in
    files: int = 0  # files OCR may read, read
    file_seconds: float = 0.0

    def told(self, progress: IndexProgress, scans_left: int) -> IndexProgress:
        """`progress` with what OCR has done and has left."""
        per_page = self.page_seconds / self.pages if self.pages else None
        per_file = self.file_seconds / self.files if self.files else None
        return replace(progress, scans_left=scans_left, ocr_pages_read=self.pages, ocr_seconds_per_page=per_page,
                       scans_eta_seconds=per_file * scans_left if per_file is not None else None)


@dataclass(frozen=True)
class IndexReport:
    added: int = 0
    updated: int = 0
    removed: int = 0
    moved: int = 0
    unchanged: int = 0
    failed: int = 0
    chunks: int = 0
    seconds: float = 0.0
    missing_folders: tuple[str, ...] = ()
    ocr_pages: int = 0  # pages read by OCR in this pass (pages read before are kept, not read again)


@dataclass
class _Plan:
    to_index: list[tuple[FolderRow, Seen]] = field(default_factory=list)
    unreadable: list[tuple[FolderRow, Unreadable]] = field(default_factory=list)
    removed: list[FileRow] = field(default_factory=list)
    unchanged: int = 0
    moved: int = 0
    updated_paths: set[str] = field(default_factory=set)
    missing_folders: list[str] = field(default_factory=list)


@dataclass
class _Extracted:
    outcome: FileOutcome
    chunks: list[NewChunk]
    embed_texts: list[str] = field(default_factory=list)  # what the model reads for each chunk
    vectors: list[np.ndarray | None] = field(default_factory=list)  # one per chunk, once known
    todo: list[int] = field(default_factory=list)  # the chunks to embed, in order
    members: tuple[Member, ...] = ()  # what the file holds (engine.indexing.contained), read with it
    embedded: int = 0  # how many of `todo` have their vector
    failure: tuple[str, BaseException] | None = None  # the stage after reading that failed, and how
    seal: int | None = None  # set on the mark after a container's members: its real mtime_ns, written last

    @property
    def ready(self) -> bool:
        return self.embedded == len(self.todo)


# Kinds whose files OCR may read, by how likely: a picture always, a PDF when it is a scan. Files are
# indexed in this order, after all others, so OCR (1-3 s a page) never keeps a text file waiting.
_OCR_ORDER = {"pdf": 1, "image": 2}


def may_need_ocr(path: PurePath) -> bool:
    return kind_for(path) in _OCR_ORDER


def ocr_last(path: str) -> int:
    """Sort key: 0 for files OCR never reads, then PDFs (some are scans), then pictures."""
    return _OCR_ORDER.get(kind_for(PurePath(path)) or "", 0)


# What a reader says of a scan whose pages its time ran out for (engine.extract.images, .pdf). Such a file
# is read again by each pass: the pages read before are kept (ocr_pages), so each pass reads on.
_OCR_OUT_OF_TIME = ("pages were read in the time Cairn gives one file", "that OCR did not read in the time allowed")


_CUT_OFF = "took longer than "  # engine.runtime.sandbox: the reader process stopped at the file's time


def _ocr_unfinished(row: FileRow) -> bool:
    kind = kind_for(PurePath(row.path))
    if not row.error or kind not in _OCR_ORDER:
        return False
    if kind == "pdf":  # a PDF's text layer can run out of time too: only its picture pages make progress
        return _OCR_OUT_OF_TIME[1] in row.error
    return any(words in row.error for words in _OCR_OUT_OF_TIME)


Extractor = Callable[[Path, int], Document]
# The pages OCR read are kept (ocr_pages) up to this many bytes of text and word boxes (~12 KB a dense A4
# page: ~40,000 pages); beyond it the pages read longest ago are forgotten (they cost OCR again if read again).
OCR_KEPT_BYTES = 512 * 1024 * 1024


class Indexer:
    def __init__(self, store: Store, embedder: Embedder, max_file_bytes: int,
                 extractor: Extractor = extract) -> None:
        self.store = store
        self.embedder = embedder
        self.max_file_bytes = max_file_bytes
        self.extract = extractor
        self.sizes = ChunkSizes.for_model(embedder.max_tokens)
        self._retry_failed = False  # this pass tries failed files again (set by `run`)
        self._ocr = _OcrTally()
        self.mailbox = mailbox.MailboxTally()  # the mailbox being read, for progress

    def run(self, folders: Sequence[FolderRow], cancel: threading.Event | None = None,
            scopes: Sequence[str] | None = None) -> Generator[IndexProgress, None, IndexReport]:
        """Sync `folders`, or only the given paths (files or folders) inside them."""
        cancel = cancel or threading.Event()
        started = time.monotonic()
        # failed files are tried again once by each new version of Cairn (engine.contain)
        self._retry_failed = self.store.get_meta(contain.ENGINE_VERSION_KEY) != contain.ENGINE_VERSION
        yield IndexProgress("scanning")
        plan = self._plan(folders, cancel, scopes)
        self.store.delete_files([f.id for f in plan.removed])
        for folder, problem in plan.unreadable:
            self._record(FileOutcome(folder.id, problem.path, "", 0, 0, None, "error", problem.reason))
        report = yield from self._index(plan, cancel, started)
        if scopes is None and self._retry_failed:
            self.store.set_meta(contain.ENGINE_VERSION_KEY, contain.ENGINE_VERSION)
        return report

    # ------------------------------------------------------------ planning

    def _plan(self, folders: Sequence[FolderRow], cancel: threading.Event, scopes: Sequence[str] | None) -> _Plan:
        plan = _Plan()
        new: list[tuple[FolderRow, Seen]] = []
        for folder in folders:
            in_scope = _scopes_in(folder, scopes)
            if in_scope and not self._present(folder, whole=folder.path in in_scope):
                plan.missing_folders.append(folder.path)  # unplugged drive, unmounted share: keep its data
                continue
            for scope in in_scope:
                self._plan_scope(folder, scope, plan, new, cancel)
        plan.to_index.extend(self._apply_moves(new, plan))
        plan.to_index.sort(key=lambda item: ocr_last(item[1].path))  # stable: walk order within each rank
        return plan

    def _present(self, folder: FolderRow, whole: bool) -> bool:
        """A pass over the whole folder takes an empty one where files were indexed for missing
        (`scan.reachable`); a pass over files inside it (the watcher's) needs only the folder."""
        if not whole:
            return Path(folder.path).is_dir()
        return reachable(folder.path, self.store.file_count(folder.id))

    def _plan_scope(self, folder: FolderRow, scope: str, plan: _Plan, new: list[tuple[FolderRow, Seen]],
                    cancel: threading.Event) -> None:
        known = self.store.files_under(folder.id, scope)
        for item in walk(Path(folder.path), folder.excludes, Path(scope)):
            _check(cancel)
            if isinstance(item, Unreadable):
                plan.unreadable.append((folder, item))
                # what was indexed below a folder we cannot list now is kept, not deleted
                for path in [p for p in known if p == item.path or p.startswith(item.path + "/")]:
                    del known[path]
                continue
            row = known.pop(item.path, None)
            if row is None:
                new.append((folder, item))
            elif self._unchanged(row, item):
                plan.unchanged += 1
            else:
                plan.to_index.append((folder, item))
                plan.updated_paths.add(item.path)
        plan.removed.extend(known.values())

    def _unchanged(self, row: FileRow, item: Seen) -> bool:
        if self._worth_reading_again(row, item):
            return False
        if row.mtime_ns == contained.UNSEALED:  # a container whose members were not all written
            return False
        if row.size == item.size and row.mtime_ns == item.mtime_ns and not _racy(row):
            return True
        return self._same_content(row, item)

    def _worth_reading_again(self, row: FileRow, item: Seen) -> bool:
        """Unchanged on disk, but what kept it out may be gone: an older reader, permissions, the size limit.

        A better reader's passages that did not change keep their vectors; chmod changes
        neither a file's size nor its time."""
        if row.reader_version < reader_version(Path(item.path)):
            return True
        if row.status == "error" and self._retry_failed:
            return True
        if row.error == PERMISSION:
            return os.access(item.path, os.R_OK)
        if _ocr_unfinished(row) or self._ocr_cut_off(row):
            return True  # the pages read are kept: this pass goes on where the last one's time ran out
        return bool(row.error and row.error.startswith(TOO_LARGE) and item.size <= self.max_file_bytes)

    def _ocr_cut_off(self, row: FileRow) -> bool:
        """A scan the reader process was stopped on (its time ran out) after OCR had read some of its pages:
        the next pass starts after them. One that hangs before reading a page is not tried again."""
        return (row.status == "error" and (row.error or "").startswith(_CUT_OFF)
                and row.hash is not None and may_need_ocr(PurePath(row.path))
                and bool(self.store.ocr_pages(row.hash, memo.setup())))

    def _same_content(self, row: FileRow, item: Seen) -> bool:
        """A new timestamp (or one too close to its reading to trust) on the same bytes: remember it, embed nothing."""
        checked_at = time.time()
        if row.hash is None or row.size != item.size or not _same_hash(item.path, row.hash):
            return False
        self.store.touch_file(row.id, item.size, item.mtime_ns, checked_at)
        return True

    def _apply_moves(self, new: list[tuple[FolderRow, Seen]], plan: _Plan) -> Iterable[tuple[FolderRow, Seen]]:
        """A new path whose content equals a vanished file's is that file, moved: keep its vectors.

        The vanished file may be in this pass's removals or, when a watcher reports the
        two halves of a move separately, still in the index with its path gone from disk."""
        removed_ids = {row.id for row in plan.removed}
        for folder, seen in new:
            candidates = [r for r in self.store.indexed_files_of_size(seen.size)
                          if r.id in removed_ids or not os.path.lexists(r.path)]
            match = None
            if candidates:
                digest = _hash_or_none(seen.path)
                match = next((r for r in candidates if r.hash == digest), None)
            if match is None:
                yield folder, seen
                continue
            if match.id in removed_ids:
                removed_ids.discard(match.id)
                plan.removed = [r for r in plan.removed if r.id != match.id]
            self.store.move_file(match.id, folder.id, seen.path, _ext(seen.path), seen.mtime_ns,
                                 lambda title, heading: keyword_context(seen.path, title, heading))
            plan.moved += 1

    # ------------------------------------------------------------ indexing

    def _index(self, plan: _Plan, cancel: threading.Event, started: float
               ) -> Generator[IndexProgress, None, IndexReport]:
        total = len(plan.to_index)
        self._ocr = _OcrTally()
        scans_left = sum(1 for _, seen in plan.to_index if may_need_ocr(PurePath(seen.path)))
        files_done = chunks_done = errors = 0
        embed_started = time.monotonic()
        current: str | None = None
        work: queue.Queue[_Extracted | None] = queue.Queue(maxsize=READ_AHEAD)
        reader = threading.Thread(target=self._read_all, args=(plan.to_index, work, cancel), daemon=True,
                                  name="cairn-reader")
        reader.start()
        waiting: list[_Extracted] = []  # files whose chunks are not all embedded yet
        finished = False
        try:
            while not finished or waiting:
                batch_items, finished = self._fill(work, waiting, finished, cancel)
                for (item, i), vector in self._embed_contained(batch_items):
                    item.vectors[i] = vector
                    item.embedded += 1
                while waiting and waiting[0].ready:
                    item = self._write(waiting.pop(0))
                    chunks_done += len(item.chunks)
                    errors += item.outcome.status == "error" and item.seal is None
                    if item.outcome.container is None and item.seal is None:  # a file on disk, not one it holds
                        files_done += 1
                        current = item.outcome.path
                        scans_left -= may_need_ocr(PurePath(current))
                _check(cancel)
                progress = self._ocr.told(_progress(total, files_done, chunks_done, errors, current, embed_started),
                                          scans_left)
                tally = self.mailbox
                yield progress if tally.path is None else replace(
                    progress, mailbox=tally.path, mailbox_done=tally.done, mailbox_total=tally.total,
                    mailbox_eta_seconds=tally.eta())
        finally:
            cancel_reader = not finished
            if cancel_reader:
                cancel.set()
                _drain(work)
            reader.join(timeout=5)
        updated = len([1 for _, s in plan.to_index if s.path in plan.updated_paths])
        self.store.prune_ocr_pages(OCR_KEPT_BYTES, memo.setup())  # every file of the pass is written: none is mid-read
        yield self._ocr.told(IndexProgress("done", total, files_done, chunks_done, 0.0, 0.0, None, errors), 0)
        return IndexReport(
            added=total - updated, updated=updated, removed=len(plan.removed), moved=plan.moved,
            unchanged=plan.unchanged, failed=errors + len(plan.unreadable), chunks=chunks_done,
            seconds=time.monotonic() - started, missing_folders=tuple(plan.missing_folders),
            ocr_pages=self._ocr.pages,
        )

    def _fill(self, work: "queue.Queue[_Extracted | None]", waiting: list[_Extracted], finished: bool,
              cancel: threading.Event) -> tuple[list[tuple[_Extracted, int]], bool]:
        """Collect up to EMBED_BATCH chunks (file, chunk number) that still need vectors, blocking only
        when nothing is pending (no chunk to embed, no file ready to record).

        While blocked it keeps an eye on `cancel`: a cancelled reader stops without sending
        its end mark, so waiting for the queue alone could wait forever."""
        batch = [(item, i) for item in waiting for i in item.todo[item.embedded:]]
        while not finished and len(batch) < EMBED_BATCH:
            work_to_do = bool(batch) or bool(waiting and waiting[0].ready)  # a file whose vectors were all known
            try:
                item = work.get(timeout=CANCEL_POLL_SECONDS) if not work_to_do else work.get_nowait()
            except queue.Empty:
                if work_to_do:
                    break
                _check(cancel)
                continue
            if item is None:
                finished = True
                break
            waiting.append(self._with_known_vectors(item))
            batch.extend((item, i) for i in item.todo)
        return batch[:EMBED_BATCH], finished

    def _with_known_vectors(self, item: _Extracted) -> _Extracted:
        """Take the vectors of passages the file already had (same title, heading and text); embed only the rest.

        An edit to a long document, or a better reader that finds the same words, then
        costs the embedding of what changed, not of the whole file."""
        title, known = self.store.passage_vectors(item.outcome.path) if item.chunks else (None, {})
        if title != item.outcome.title:
            known = {}  # the title is in what the model read for each passage
        item.vectors = [known.get((c.heading, c.text)) for c in item.chunks]
        item.todo = [i for i, vector in enumerate(item.vectors) if vector is None]
        return item

    def _embed(self, texts: list[str]) -> list[np.ndarray]:
        return list(self.embedder.embed_batch(texts))

    def _embed_contained(self, batch: list[tuple[_Extracted, int]]
                         ) -> list[tuple[tuple[_Extracted, int], np.ndarray]]:
        """The batch's vectors; when the batch fails, each file's chunks again on their own, and a file
        whose chunks still fail is marked failed (its other chunks dropped), so the batch's other files go on."""
        if not batch:
            return []
        try:
            return list(zip(batch, self._embed([item.embed_texts[i] for item, i in batch])))
        except Exception:
            pass
        done: list[tuple[tuple[_Extracted, int], np.ndarray]] = []
        files = list({id(item): item for item, _ in batch}.values())  # each file once, in order
        for item in files:
            mine = [(it, i) for it, i in batch if it is item]
            try:
                done.extend(zip(mine, self._embed([item.embed_texts[i] for _, i in mine])))
            except Exception as exc:
                self._check_embedder(exc)
                _fail(item, contain.EMBEDDING, exc)
        return done

    def _check_embedder(self, exc: Exception) -> None:
        """A file's embedding failed: blame the file only if the embedder still embeds a word."""
        try:
            self._embed([contain.PROBE_TEXT])
        except Exception as probe:
            raise ModelLoadError(f"The embedding model stopped working ({type(probe).__name__}); "
                                 "nothing was recorded against your files. Run the command again.") from exc

    def _write(self, item: _Extracted) -> _Extracted:
        """Write one file; when that fails (for a reason of its own), record it as failed instead."""
        if item.seal is not None:
            self.store.seal_container(item.outcome.path, item.seal, item.outcome.members)
            return item
        try:
            file_id = self._record(item.outcome, item.chunks, [v for v in item.vectors if v is not None])
        except Exception as exc:
            if store_wide(exc):
                raise
            _fail(item, contain.WRITING, exc)
            file_id = self._record(item.outcome)
        if item.failure is not None:
            contain.log_failure(file_id, *item.failure)
        return item

    def _read_all(self, items: list[tuple[FolderRow, Seen]], work: "queue.Queue[_Extracted | None]",
                  cancel: threading.Event) -> None:
        try:
            for folder, seen in items:
                if cancel.is_set():
                    return
                for item in self._items_of(folder, seen, cancel):
                    if cancel.is_set():
                        return
                    work.put(item)
        finally:
            if not cancel.is_set():
                work.put(None)

    def _items_of(self, folder: FolderRow, seen: Seen, cancel: threading.Event) -> Iterator[_Extracted]:
        """What reading one file gives: the file, and for a container, what it holds (sub-documents)."""
        if kind_for(PurePath(seen.path)) == "mbox":  # any size: a message at a time (engine.indexing.mailbox)
            base = FileOutcome(folder.id, seen.path, _ext(seen.path), seen.size, seen.mtime_ns, None, "indexed",
                               kind="mbox", read_at=time.time(), reader_version=reader_version(Path(seen.path)))
            try:
                yield from mailbox.stream(_Extracted(base, []), self.store.members_of(seen.path), self._read_message,
                                          self._member_item, cancel, self.mailbox)
            except OSError as exc:  # the mailbox went or cannot be opened: recorded, what it held goes
                yield _Extracted(_replace(base, status="error", error=os_reason(exc), members=()), [])
            return
        item = self._read_contained(folder, seen)
        if item.outcome.status in ("error", "skipped") and kind_for(PurePath(seen.path)) in CONTAINERS:
            item.outcome = _replace(item.outcome, members=())  # a container that cannot be read holds nothing now
        yield from contained.with_members(item, self._member_item)

    def _read_message(self, path: Path, offset: int, length: int) -> Member:
        read = getattr(self.extract, "read_message", None)  # the sandboxed reader process
        if read is None:
            return extract_message(path, offset, length, self.max_file_bytes)
        return cast(Member, read(path, offset, length, self.max_file_bytes))

    def _read_contained(self, folder: FolderRow, seen: Seen) -> _Extracted:
        """A bug outside `_read_one`'s own guards fails that file, not the reader thread (which would
        end the pass early without a word, leaving the files behind it in the queue unread)."""
        try:
            return self._read_one(folder, seen)
        except Exception as exc:
            outcome = FileOutcome(folder.id, seen.path, _ext(seen.path), seen.size, seen.mtime_ns, None, "error")
            return _fail(_Extracted(outcome, []), contain.READING, exc)

    def _read_one(self, folder: FolderRow, seen: Seen) -> _Extracted:
        ext = _ext(seen.path)
        path = Path(seen.path)
        base = FileOutcome(folder.id, seen.path, ext, seen.size, seen.mtime_ns, None, "indexed", read_at=time.time(),
                           reader_version=reader_version(path))
        if not is_supported(path):
            return _Extracted(_replace(base, status="skipped", error=f"unsupported file type {ext or '(none)'}"), [])
        try:
            digest = file_hash(seen.path) if seen.size <= self.max_file_bytes else None
            base = _replace(base, hash=digest)  # a failure is kept until these bytes change (not re-read if racy)
            doc = self._extract(path, digest)
        except UnsupportedFile as exc:
            return _Extracted(_replace(base, status="skipped", error=str(exc)), [])
        except (ExtractionError, OSError) as exc:
            reason = str(exc) if isinstance(exc, ExtractionError) else os_reason(exc)
            return _Extracted(_replace(base, status="error", error=reason), [])
        except Exception as exc:  # a bug on a strange file (a parser's) must not stop the pass
            return _Extracted(_replace(base, status="error", error=f"could not be read ({type(exc).__name__})"), [])
        base = _replace(base, kind=doc.kind, title=doc.title)
        try:
            chunks = self._chunks(path, doc)
            embed_texts = [self._embedding_text(doc.title, c) for c in chunks]
        except Exception as exc:  # a splitter bug on a strange text: this file fails, the pass goes on
            return _fail(_Extracted(base, []), contain.SPLITTING, exc)
        return self._extracted(base, doc, chunks, embed_texts)

    def _extracted(self, base: FileOutcome, doc: Document, chunks: list[NewChunk],
                   embed_texts: list[str]) -> _Extracted:
        status, error = ("indexed", None) if chunks else ("empty", "no text found")
        if doc.truncated:
            partial = f"only partly read: {doc.gap}" if doc.gap else PARTIAL
            status, error = ("indexed", partial) if chunks else ("error", "no text could be read within Cairn's limits")
        if doc.kind in CONTAINERS:
            base = _replace(base, members=tuple(member_path(base.path, m.inner) for m in doc.members))
        return _Extracted(_replace(base, status=status, error=error), chunks, embed_texts=embed_texts,
                          members=doc.members)

    def _member_item(self, container: FileOutcome, member: Member) -> _Extracted:
        """One sub-document as a file of its own: read with its container, written after it."""
        path = member_path(container.path, member.inner)
        base = FileOutcome(container.folder_id, path, _ext(member.inner), member.size, container.mtime_ns, None,
                           member.status, member.error, read_at=container.read_at,
                           reader_version=container.reader_version, container=container.path,
                           location=member.location)
        doc = member.document
        if doc is None or member.status != "indexed":
            return _Extracted(base, [])
        base = _replace(base, kind=doc.kind, title=doc.title)
        try:
            chunks = self._chunks(Path(path), doc)
            embed_texts = [self._embedding_text(doc.title, c) for c in chunks]
        except Exception as exc:
            return _fail(_Extracted(base, []), contain.SPLITTING, exc)
        return self._extracted(base, doc, chunks, embed_texts)

    def _extract(self, path: Path, digest: str | None) -> Document:
        """The file's Document; for a file OCR may read, with the pages OCR read before (same bytes, same
        set-up) taken from the index and each page read now kept in it at once (engine.extract.ocr.memo)."""
        if digest is None or not may_need_ocr(path):
            return self.extract(path, self.max_file_bytes)
        setup = memo.setup()
        known = {n: memo.page_from_cache(*kept) for n, kept in self.store.ocr_pages(digest, setup).items()}

        pages_before, started = self._ocr.pages, time.monotonic()

        def keep(number: int, page: OcrPage) -> None:
            self.store.keep_ocr_page(digest, number, setup, page.text, page.confidence, page.boxes)
            self._ocr.pages += 1

        try:
            read_remembering = getattr(self.extract, "read_remembering", None)  # the sandboxed reader process
            if read_remembering is not None:
                return cast(Document, read_remembering(path, self.max_file_bytes, known, keep))
            with memo.remembering(known, keep):  # reading in this process (tests, tools)
                return self.extract(path, self.max_file_bytes)
        finally:
            elapsed = time.monotonic() - started
            self._ocr.files += 1
            self._ocr.file_seconds += elapsed
            if self._ocr.pages > pages_before:
                self._ocr.page_seconds += elapsed

    def _chunks(self, path: Path, doc: Document) -> list[NewChunk]:
        pieces: list[Chunk] = chunk_document(doc, self.embedder.count_tokens, self.sizes)
        return [
            NewChunk(i, c.text, c.start, c.end, c.page, c.heading, keyword_context(str(path), doc.title, c.heading),
                     identify(c.text), c.ocr_confidence)
            for i, c in enumerate(pieces)
        ]

    def _embedding_text(self, title: str | None, chunk: NewChunk) -> str:
        return embedding_text(self.embedder, chunk.text, title, chunk.heading, place=EMBED_PLACE)

    def _record(self, outcome: FileOutcome, chunks: Sequence[NewChunk] = (),
                vectors: Sequence[np.ndarray] = ()) -> int:
        matrix = np.vstack(vectors) if vectors else None
        return self.store.write_file(outcome, chunks, matrix)


def _scopes_in(folder: FolderRow, scopes: Sequence[str] | None) -> list[str]:
    if scopes is None:
        return [folder.path]
    root = folder.path.rstrip("/") + "/"
    inside = [s for s in scopes if s == folder.path or s.startswith(root)]
    # a scope inside another is covered by it
    return [s for s in inside if not any(o != s and s.startswith(o.rstrip("/") + "/") for o in inside)]


def _progress(total: int, done: int, chunks: int, errors: int, current: str | None, started: float) -> IndexProgress:
    elapsed = max(1e-6, time.monotonic() - started)
    rate = chunks / elapsed
    per_file = elapsed / done if done else None
    eta = per_file * (total - done) if per_file is not None else None
    return IndexProgress("indexing", total, done, chunks, rate, eta, current, errors)


def _check(cancel: threading.Event) -> None:
    if cancel.is_set():
        raise Cancelled("Indexing was stopped.")


def _drain(work: "queue.Queue[_Extracted | None]") -> None:
    try:
        while True:
            work.get_nowait()
    except queue.Empty:
        pass


def _fail(item: _Extracted, stage: str, exc: BaseException) -> _Extracted:
    """Mark a file failed after reading: no passages, the reason recorded, nothing left to embed."""
    # no title: the failure must be recordable even when what failed to be written was the title
    item.outcome = _replace(item.outcome, status="error", error=contain.reason(stage, exc), title=None)
    item.chunks, item.embed_texts, item.vectors, item.todo, item.embedded = [], [], [], [], 0
    item.failure = (stage, exc)
    return item


def _replace(outcome: FileOutcome, **changes: object) -> FileOutcome:
    return replace(outcome, **changes)  # type: ignore[arg-type]


def _ext(path: str) -> str:
    return Path(path).suffix.lower()


def _racy(row: FileRow) -> bool:
    """Changed so soon before it was read that a later save may carry the same timestamp: trust its hash.

    File systems with coarse timestamps (FAT: 2 s, SMB and HFS+: 1 s) give two saves within
    one step the same time, and a same-size second save then looks unchanged (git's "racy
    clean" problem). A file read well after its last change is safe to judge by its stat."""
    return row.mtime_ns / 1e9 >= row.indexed_at - RACY_SECONDS


def _same_hash(path: str, expected: str) -> bool:
    return _hash_or_none(path) == expected


def _hash_or_none(path: str) -> str | None:
    try:
        return file_hash(path)
    except OSError:
        return None

