"""What `Cairn.status` reports: the index, its folders and the files it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FolderStatus:
    path: str
    excludes: tuple[str, ...]
    files: int
    chunks: int
    by_status: dict[str, int]
    present: bool
    # passages per language (ISO 639-1, "und" where it could not be told), most first: which embedding
    # model suits the folder (a multilingual one when most are not English)
    languages: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class FileProblem:
    path: str
    status: str  # "error" or "skipped"
    reason: str


@dataclass(frozen=True)
class ModelSwitch:
    """A change of embedding model under way: search uses the old model until every passage has its new vector."""

    to_model: str  # the new model's name ("multilingual-e5-small"), or the choice before the first pass begins it
    done: int  # passages with their new vector
    total: int  # passages in the index


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
    watcher: dict[str, object] | None = None  # what a running `cairn watch` or app is doing
    model_choice: str | None = None  # "english", "multilingual" or a model file (engine.embed.choice)
    model_reason: str | None = None  # why, in words
    suggestion: str | None = None  # the multilingual model offered to an English index of other languages
    ocr_languages: tuple[str, ...] = ()  # what OCR reads with (the settings', installed)
    ocr_missing: tuple[str, ...] = ()  # languages asked for whose data is not installed: scans in them read badly
    ocr_pages: int = 0  # pages read by OCR and kept in the index: never read again
    switch: ModelSwitch | None = None  # the embedding model being changed; `model` is the old one until it is done
