"""Read files in a separate process with limits, so a hostile file cannot hang or kill Cairn.

A PDF whose streams inflate to gigabytes, a page tree that loops, a parser bug
that recurses forever: the worker process has an address-space limit and every
file a time limit. When the worker runs out of memory, exceeds the time or dies,
the file is recorded as failed with that reason, a fresh worker starts, and
indexing goes on. Extraction in its own process also stops it competing with the
embedder for the main process's interpreter lock.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.connection
import resource
import sys
import threading
import time
from typing import Any
from dataclasses import dataclass
from pathlib import Path

from engine.runtime.spawn import CleanProcess
from engine.errors import ExtractionError, UnsupportedFile
from engine.extract import Document, extract, extract_message, member_bytes
from engine.extract.document import Member
from engine.extract.files import content_hash as _content_hash
from engine.extract.ocr import memo
from engine.extract.ocr.kept import KeptScan
from engine.extract.ocr.tesseract import OcrPage, use_languages
from engine.extract.page_picture import PagePicture, page_picture


@dataclass(frozen=True)
class Limits:
    seconds: float = 60.0  # per file
    memory_mb: int = 1536  # address space of the worker process
    ocr_languages: str = "eng"  # Tesseract's languages, all installed (engine.extract.ocr.languages)


# A PDF still being read at this share of its time stops there and sends what it has (marked partial),
# leaving the rest of the time for sending it: a 5,000-page book's first pages beat a refusal.
PAGES_SHARE = 0.75


def no_core_dumps() -> None:
    """A crash must not write this process's memory to a core file: the reader's holds the text of the file
    it reads, the CLI's and the app's the decrypted index pages and the passphrase. Core files go to the
    current folder under `ulimit -c unlimited`, or to a crash reporter (systemd-coredump, apport).
    Not dumpable also keeps other processes of the user from reading its memory through /proc."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


PR_SET_DUMPABLE = 4  # <linux/prctl.h>


def _serve(requests: multiprocessing.connection.Connection, conn: multiprocessing.connection.Connection,
           memory_bytes: int, seconds: float, ocr_languages: str = "eng") -> None:
    no_core_dumps()
    use_languages(ocr_languages)
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            kind, *request = requests.recv()
        except EOFError:
            return
        try:
            conn.send(("ok", _answer_for(conn, seconds, kind, request)))
        except UnsupportedFile as exc:
            conn.send(("unsupported", str(exc)))
        except ExtractionError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            conn.send(("error", "needs more memory than Cairn allows for reading one file"))
        except RecursionError:
            conn.send(("error", "structure nested too deeply to read"))
        except Exception as exc:  # a parser bug on a strange file: report its kind, never its content
            conn.send(("error", f"could not be read ({type(exc).__name__})"))


def _answer_for(conn: multiprocessing.connection.Connection, seconds: float, kind: str,
                request: list[Any]) -> object:
    """What the request of this kind asks for: a file read, a page drawn, an attachment's bytes, one message."""
    if kind == "read":
        return _read(conn, seconds, *request)
    if kind == "picture":
        return page_picture(*request)
    if kind == "bytes":  # an attachment's bytes, to open it (engine.cairn.member_copy)
        return member_bytes(*request)
    path, offset, length, max_bytes = request  # one message of a mailbox (engine.indexing.mailbox)
    return extract_message(Path(path), offset, length, max_bytes, time.monotonic() + seconds * PAGES_SHARE)


def _read(conn: multiprocessing.connection.Connection, seconds: float, path: str, max_bytes: int,
          known: dict[int, OcrPage] | None, stream: bool) -> Document:
    # each page OCR reads goes back at once, so the main process keeps it even if this file never ends;
    # `path` stays a string: an attachment's ("<container>//<path inside>") is no file system path
    sink = (lambda number, page: conn.send(("page", number, page))) if stream else None
    with memo.remembering(known, sink):
        return extract(path, max_bytes, deadline=time.monotonic() + seconds * PAGES_SHARE)


class SandboxedExtractor:
    """Callable like `engine.extract.extract`; one worker process, restarted when needed."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._ctx = multiprocessing.get_context("spawn")  # never fork a process that runs llama.cpp threads
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._send: multiprocessing.connection.Connection | None = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._lock = threading.Lock()

    def __call__(self, path: Path | str, max_bytes: int) -> Document:
        return self.read_remembering(path, max_bytes, None, None)

    def read_message(self, path: Path, offset: int, length: int, max_bytes: int) -> Member:
        """One message of a mailbox (`length` bytes at `offset`), with its attachments, read in the reader."""
        member = self._ask(("message", str(path), offset, length, max_bytes), None)
        assert isinstance(member, Member)
        return member

    def member_bytes(self, path: str, max_bytes: int) -> bytes:
        """A sub-document's bytes ("<container>//<path inside>"), taken out of its container in the reader."""
        data = self._ask(("bytes", path, max_bytes), None)
        assert isinstance(data, bytes)
        return data

    def read_remembering(self, path: Path | str, max_bytes: int, known: dict[int, OcrPage] | None,
                         on_read: memo.PageSink | None) -> Document:
        """Read `path`, taking the pages OCR read before from `known` (page number -> page) and giving
        each page OCR reads now to `on_read` as soon as it is read (engine.extract.ocr.memo)."""
        document = self._ask(("read", str(path), max_bytes, known, on_read is not None), on_read)
        assert isinstance(document, Document)
        return document

    def read_kept(self, path: Path | str, max_bytes: int, kept: KeptScan | None) -> Document:
        """Read `path` for the preview, taking its scanned pages from `kept` (Cairn.kept_scan) when the file
        still has the bytes they were read from: OCR then reads no page again."""
        known = dict(kept.pages) if kept is not None and _same_bytes(path, kept.file_hash) else None
        return self.read_remembering(path, max_bytes, known, None)

    def page_picture(self, path: Path, number: int, max_bytes: int) -> PagePicture:
        """Page `number` of the PDF or image at `path` as a picture (engine.extract.page_picture), drawn here."""
        picture = self._ask(("picture", Path(path), number, max_bytes), None)
        assert isinstance(picture, PagePicture)
        return picture

    def _ask(self, request: tuple[object, ...], on_read: memo.PageSink | None) -> object:
        with self._lock:
            conn = self._worker()
            assert self._send is not None
            self._send.send(request)
            kind, payload = self._answer(conn, on_read)
        if kind == "ok":
            return payload
        if kind == "unsupported":
            raise UnsupportedFile(str(payload))
        raise ExtractionError(str(payload))

    def _answer(self, conn: multiprocessing.connection.Connection,
                on_read: memo.PageSink | None) -> tuple[str, object]:
        """The reader's answer for the file, passing on the pages it reports on the way, within the file's time."""
        deadline = time.monotonic() + self.limits.seconds
        while True:
            if not conn.poll(max(0.0, deadline - time.monotonic())):
                self._restart()
                raise ExtractionError(f"took longer than {self.limits.seconds:.0f} s to read; skipped")
            try:
                message = conn.recv()
            except (EOFError, OSError):
                self._restart()
                raise ExtractionError("the reader stopped while reading this file (too much memory?)") from None
            if message[0] != "page":
                return str(message[0]), message[1]
            if on_read is not None:
                on_read(message[1], message[2])

    def _worker(self) -> multiprocessing.connection.Connection:
        if self._proc is None or not self._proc.is_alive() or self._conn is None:
            self._restart()
        assert self._conn is not None
        return self._conn

    def _restart(self) -> None:
        self.close()
        # two one-way OS pipes: a duplex Pipe would be a socketpair, and Cairn opens no sockets at all
        requests_in, requests_out = self._ctx.Pipe(duplex=False)
        answers_in, answers_out = self._ctx.Pipe(duplex=False)
        # without the passphrase in its environment: this process reads untrusted files
        proc = CleanProcess(target=_serve, args=(requests_in, answers_out, self.limits.memory_mb * 1024 * 1024,
                                                 self.limits.seconds, self.limits.ocr_languages),
                            name="cairn-extract", daemon=True)
        proc.start()
        requests_in.close()
        answers_out.close()
        self._proc, self._send, self._conn = proc, requests_out, answers_in

    def close(self) -> None:
        for end in (self._send, self._conn):
            if end is not None:
                end.close()
        self._send = self._conn = None
        if self._proc is not None:
            self._proc.join(timeout=2)  # the closed pipe ends its loop; a hung one is killed
            if self._proc.is_alive():
                self._proc.kill()
                self._proc.join(timeout=5)
            self._proc = None


def _same_bytes(path: Path | str, file_hash: str) -> bool:
    try:
        return _content_hash(path) == file_hash
    except OSError:  # gone or unreadable: reading it says why
        return False
