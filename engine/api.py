"""The engine's front door: one object per Cairn home, used by the CLI and the GUI.

It owns the decisions that tie the parts together (which model, which database,
whether this process may write) so that clients only call verbs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.config import Paths, Settings, resolve_paths
from engine.embed import Embedder, load_embedder
from engine.errors import FolderError
from engine.index import Indexer, IndexProgress, IndexReport
from engine.search import Mode, SearchFilters, SearchResult, search
from engine.store import FolderRow, Store


@dataclass(frozen=True)
class FolderStatus:
    path: str
    excludes: tuple[str, ...]
    files: int
    chunks: int
    by_status: dict[str, int]
    present: bool


@dataclass(frozen=True)
class FileProblem:
    path: str
    status: str  # "error" or "skipped"
    reason: str


@dataclass(frozen=True)
class Status:
    home: str
    database: str
    model: str | None
    dimensions: int | None
    folders: tuple[FolderStatus, ...]
    files: int
    chunks: int
    problems: tuple[FileProblem, ...]


class Cairn:
    def __init__(self, home: str | os.PathLike[str] | None = None, *, embedder: Embedder | None = None) -> None:
        self.paths: Paths = resolve_paths(home).ensure()
        self.settings = Settings.load(self.paths)
        self.store = Store.open(self.paths.index_db)
        os.chmod(self.paths.index_db, 0o600)
        self._embedder = embedder
        self._lock = threading.Lock()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Cairn":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ model

    @property
    def embedder(self) -> Embedder:
        """Loaded on first use: `cairn status` and keyword search never pay for it."""
        with self._lock:
            if self._embedder is None:
                self._embedder = load_embedder(self.settings.embedding_model, self.settings.thread_count())
            return self._embedder

    def _bound_embedder(self) -> Embedder:
        embedder = self.embedder
        self.store.bind_model(embedder.model_id, embedder.model_name, embedder.dimensions)
        return embedder

    # ------------------------------------------------------------ folders

    def add_folder(self, folder: str | os.PathLike[str], excludes: Sequence[str] = ()) -> FolderRow:
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise FolderError(f"{path} is not a folder Cairn can read.")
        for existing in self.store.folders():
            known = Path(existing.path)
            if path != known and _inside(path, known):
                raise FolderError(f"{path} is already indexed as part of {known}.")
            if path != known and _inside(known, path):
                raise FolderError(f"{path} contains the indexed folder {known}: remove that one first.")
        return self.store.add_folder(str(path), [*self.settings.excludes, *excludes])

    def remove_folder(self, folder: str | os.PathLike[str]) -> int:
        path = str(Path(folder).expanduser().resolve())
        row = self.store.folder_by_path(path) or self.store.folder_by_path(str(Path(folder).expanduser()))
        if row is None:
            known = ", ".join(f.path for f in self.store.folders()) or "none"
            raise FolderError(f"{path} is not an indexed folder (indexed folders: {known}).")
        return self.store.remove_folder(row.id)

    def folders(self) -> list[FolderRow]:
        return self.store.folders()

    # ------------------------------------------------------------ indexing

    def index(self, cancel: threading.Event | None = None) -> Generator[IndexProgress, None, IndexReport]:
        embedder = self._bound_embedder()
        indexer = Indexer(self.store, embedder, self.settings.max_file_bytes)
        return (yield from indexer.run(self.store.folders(), cancel))

    def reindex(self, cancel: threading.Event | None = None) -> Generator[IndexProgress, None, IndexReport]:
        """Embed everything again, e.g. after choosing another embedding model."""
        embedder = self.embedder
        self.store.rebind_model(embedder.model_id, embedder.model_name, embedder.dimensions)
        return (yield from self.index(cancel))

    # ------------------------------------------------------------ search

    def search(self, query: str, *, mode: Mode = "hybrid", limit: int = 10,
               filters: SearchFilters | None = None) -> list[SearchResult]:
        embedder = self._bound_embedder() if mode != "keyword" else None
        return search(self.store, embedder, query, mode=mode, limit=limit, filters=filters)

    # ------------------------------------------------------------ status

    def status(self) -> Status:
        folders = []
        for row, counts, chunks in self.store.folder_stats():
            folders.append(FolderStatus(row.path, row.excludes, sum(counts.values()), chunks, counts,
                                        Path(row.path).is_dir()))
        dims = self.store.vector_dimensions()
        problems = tuple(FileProblem(*p) for p in self.store.problem_files())
        return Status(
            home=str(self.paths.data), database=str(self.paths.index_db), model=self.store.get_meta("model_name"),
            dimensions=dims, folders=tuple(folders), files=sum(f.files for f in folders),
            chunks=sum(f.chunks for f in folders), problems=problems,
        )


def _inside(child: Path, parent: Path) -> bool:
    try:
        child.relative_to(parent)
    except ValueError:
        return False
    return True
