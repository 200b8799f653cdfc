"""Prove that llama.cpp's extra buffer types (AMX) work in this installation, then allow them.

    python -m engine.runtime.llama_probe          # setup.sh runs this after installing

Why a child process: the known failure (GCC 12 builds, see engine/runtime/llama.py) is a
SIGSEGV, which no exception handler survives. The child loads the bundled embedding model
with extra buffers and without, and the bundled chat model (when installed) with them; it
passes only if nothing crashed and both embeddings agree. Only then is the library marked,
so a rebuilt or reinstalled llama.cpp is probed again. Prints one line; exit status 0 either
way (the probe's verdict is not an error: Cairn works without extra buffers, only slower).
"""

from __future__ import annotations

import os
import subprocess
import sys

from engine.runtime.llama import EXTRA_BUFFERS_ENV, extra_buffers_allowed, record_extra_buffers_ok

_TEXTS = ["The river authority postponed the safety inspection of the bridge until spring.",
          "Quarterly report: the bakery's water consumption fell after the boiler was replaced."]


def _embed(extra: str) -> object:
    from engine.embed import load_embedder

    os.environ[EXTRA_BUFFERS_ENV] = extra
    extra_buffers_allowed.cache_clear()
    with load_embedder() as embedder:
        return embedder.embed_batch(_TEXTS * 2)


def child() -> int:
    """Crash or return 1 if extra buffers misbehave; 0 if they work."""
    import numpy as np

    with_extra, without = np.asarray(_embed("1")), np.asarray(_embed("0"))
    if float((with_extra * without).sum(axis=1).min()) < 0.999:
        return 1
    from engine.answer.chat import bundled_chat_model_path, load_chat_model

    if bundled_chat_model_path().exists():
        os.environ[EXTRA_BUFFERS_ENV] = "1"
        extra_buffers_allowed.cache_clear()
        model = load_chat_model(bundled_chat_model_path())
        try:
            "".join(model.stream(model.render([{"role": "user", "content": "Say yes."}]), max_tokens=4))
        finally:
            model.close()
    return 0


def main() -> int:
    env = {k: v for k, v in os.environ.items() if k != EXTRA_BUFFERS_ENV}
    if extra_buffers_allowed() and EXTRA_BUFFERS_ENV not in os.environ:
        print("llama.cpp extra buffer types (AMX): already verified for this build")
        return 0
    done = subprocess.run([sys.executable, "-m", "engine.runtime.llama_probe", "--child"], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    if done.returncode != 0:
        reason = f"signal {-done.returncode}" if done.returncode < 0 else f"status {done.returncode}"
        print(f"llama.cpp extra buffer types (AMX): off (the probe failed with {reason}; "
              "this build may need -fno-tree-dse, see setup.sh)")
        return 0
    try:
        record_extra_buffers_ok()
    except OSError as exc:
        print(f"llama.cpp extra buffer types (AMX): work, but could not be recorded ({exc}); left off")
        return 0
    print("llama.cpp extra buffer types (AMX): verified, on")
    return 0


if __name__ == "__main__":
    sys.exit(child() if sys.argv[1:] == ["--child"] else main())
