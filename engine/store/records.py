"""The rows the store hands out and takes in."""

from __future__ import annotations

from dataclasses import dataclass




@dataclass(frozen=True)
class FolderRow:
    id: int
    path: str
    excludes: tuple[str, ...]


@dataclass(frozen=True)
class FileRow:
    id: int
    folder_id: int
    path: str
    size: int
    mtime_ns: int
    hash: str | None
    status: str
    error: str | None
    indexed_at: float  # when its content was read (or last checked by its hash)
    reader_version: int  # of the reader that read it (engine.extract.READER_VERSIONS)


@dataclass(frozen=True)
class NewChunk:
    """A chunk ready to be written: its text, where it came from, its vector."""

    seq: int
    text: str
    start: int
    end: int
    page: int | None
    heading: str | None
    context: str  # words that describe the chunk's place: file name, title, heading
    language: str | None = None  # ISO 639-1 ("de"), as engine.language.identify tells it; None: unknown
    ocr_confidence: float | None = None  # set when the passage was read from a picture by OCR


@dataclass(frozen=True)
class ChunkHit:
    chunk_id: int
    file_id: int
    path: str
    kind: str | None
    title: str | None
    page: int | None
    start: int
    end: int
    heading: str | None
    text: str
    mtime_ns: int
    ocr_confidence: float | None = None
    location: str | None = None  # a sub-document's place in its container, in words (None: a file on disk)


@dataclass(frozen=True)
class FileOutcome:
    """What the indexer learned about one file, written in one transaction."""

    folder_id: int
    path: str
    ext: str
    size: int
    mtime_ns: int
    hash: str | None
    status: str
    error: str | None = None
    kind: str | None = None
    title: str | None = None
    read_at: float | None = None  # when its content was read; None: now
    reader_version: int = 0  # of the reader that read it; 0: none did (an unreadable or unsupported file)
    container: str | None = None  # a sub-document's: the path of the file on disk that holds it
    location: str | None = None  # a sub-document's place in it, in words
    # a container's: the paths of all it holds now (the others indexed before are deleted); None: not a container
    members: tuple[str, ...] | None = None
