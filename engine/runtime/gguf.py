"""GGUF model files read without llama.cpp: a cheap identity, and the header's scalar keys.

Enough to refuse a file that is not a model with a clear message, and to learn the
architecture and context length before llama.cpp sizes anything.
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

from engine.errors import ModelLoadError

_FINGERPRINT_SPAN = 1 << 20  # bytes hashed at each end of the file
_GGUF_MAGIC = b"GGUF"


def model_fingerprint(path: Path) -> str:
    """Cheap identity of a model file: name, size, sha256 of its first and last MiB.

    Constant time in the file size (a few ms even for several GB), and any re-quantization,
    re-download of another revision or truncation changes it."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}:".encode())
    with path.open("rb") as f:
        digest.update(f.read(_FINGERPRINT_SPAN))
        if size > _FINGERPRINT_SPAN:
            f.seek(max(_FINGERPRINT_SPAN, size - _FINGERPRINT_SPAN))
            digest.update(f.read(_FINGERPRINT_SPAN))
    return f"{path.name}:{size}:sha256-ends:{digest.hexdigest()[:32]}"


class GGUFHeader:
    """The scalar key/values of a GGUF file's header (arrays are skipped), read without llama.cpp.

    Enough to refuse non-GGUF files with a clear message and to learn the architecture and the
    context length before a context is sized."""

    _SCALARS: dict[int, str] = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
                                10: "<Q", 11: "<q", 12: "<d"}
    _STRING, _ARRAY = 8, 9

    def __init__(self, path: Path) -> None:
        self.path = path
        self.values: dict[str, Any] = {}
        with path.open("rb") as f:
            magic = f.read(4)
            if magic != _GGUF_MAGIC:
                raise ModelLoadError(
                    f"{path} is not a GGUF model file (it starts with {magic!r}, not b'GGUF'). "
                    "Cairn needs an embedding model in llama.cpp's GGUF format."
                )
            version, self.n_tensors, n_kv = struct.unpack("<IQQ", self._read(f, 20))
            if version not in (2, 3):
                raise ModelLoadError(f"{path} is GGUF version {version}; this Cairn reads versions 2 and 3.")
            if n_kv > 1_000_000 or self.n_tensors > 10_000_000:
                raise ModelLoadError(f"{path} has a damaged GGUF header. Download or convert the model again.")
            for _ in range(n_kv):
                key = self._string(f)
                (vtype,) = struct.unpack("<I", self._read(f, 4))
                value = self._value(f, vtype)
                if value is not None:
                    self.values[key] = value

    def _read(self, f: BinaryIO, n: int) -> bytes:
        data = f.read(n)
        if len(data) != n:
            raise ModelLoadError(
                f"{self.path} ends inside its GGUF header: the file is truncated "
                "(an interrupted download or copy?). Download or convert the model again."
            )
        return data

    def _string(self, f: BinaryIO) -> str:
        (n,) = struct.unpack("<Q", self._read(f, 8))
        if n > 64 << 20:
            raise ModelLoadError(f"{self.path} has a damaged GGUF header. Download or convert the model again.")
        return self._read(f, n).decode("utf-8", "replace")

    def _value(self, f: BinaryIO, vtype: int) -> Any:
        if vtype in self._SCALARS:
            fmt = self._SCALARS[vtype]
            return struct.unpack(fmt, self._read(f, struct.calcsize(fmt)))[0]
        if vtype == self._STRING:
            return self._string(f)
        if vtype == self._ARRAY:
            item_type, count = struct.unpack("<IQ", self._read(f, 12))
            if item_type in self._SCALARS:
                f.seek(struct.calcsize(self._SCALARS[item_type]) * count, os.SEEK_CUR)
            elif item_type == self._STRING:
                for _ in range(count):
                    (n,) = struct.unpack("<Q", self._read(f, 8))
                    f.seek(n, os.SEEK_CUR)
            else:
                raise ModelLoadError(f"{self.path} has a damaged GGUF header. Download or convert the model again.")
            return None
        raise ModelLoadError(f"{self.path} has a damaged GGUF header. Download or convert the model again.")

    def get_int(self, key: str) -> int | None:
        value = self.values.get(key)
        return int(value) if isinstance(value, int) and not isinstance(value, bool) else None
