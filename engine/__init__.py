"""Cairn's headless engine: everything but the windows.

Nothing in this package imports Qt; the CLI (`engine.cli`) and the desktop app
are thin clients of the typed API re-exported here.
"""

__version__ = "0.1.0"

import os as _os

# llama.cpp's threads wait for each other through OpenMP; libgomp's default spins for
# ~300,000 rounds first, which steals time slices from the other thread when the CPU is
# shared (a browser, a build). Measured here with two busy processes beside it: 3.5
# chunks/s by default, 11.2 with a 30,000-round spin, 13.3 with no spinning at all
# (OMP_WAIT_POLICY=PASSIVE) -- but passive waiting cost 17% on a quiet machine, and the
# short spin costs nothing there (24.5 chunks/s either way). Set before llama.cpp's library
# loads; a user's own setting wins.
_os.environ.setdefault("GOMP_SPINCOUNT", "30000")
# numpy's OpenBLAS keeps its own threads spinning after every matrix call; Cairn's numpy
# work is small (norms, re-ranking a few hundred vectors), and the spinning took 1.4% of
# the CPU from embedding (perf, quiet machine) and more when the CPU is shared. Set before
# numpy loads; a user's own setting wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
