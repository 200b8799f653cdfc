"""What `Cairn.status` reports: the index, its folders and the files it could not read."""

from __future__ import annotations

from dataclasses import dataclass


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
    watcher: dict[str, object] | None = None  # what a running `cairn watch` or app is doing
    ocr_languages: tuple[str, ...] = ()  # what OCR reads with (the settings', installed)
    ocr_missing: tuple[str, ...] = ()  # languages asked for whose data is not installed: scans in them read badly
    ocr_pages: int = 0  # pages read by OCR and kept in the index: never read again
