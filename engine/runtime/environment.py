"""Thread settings that must be in the environment before llama.cpp's and numpy's libraries load.

Imported first by `engine/__init__`, so that any import of the engine sets them in time;
a user's own setting always wins.
"""

import os

# llama.cpp's threads wait for each other through OpenMP; libgomp's default spins for
# ~300,000 rounds first, which steals time slices from the other thread when the CPU is
# shared (a browser, a build). Measured here with two busy processes beside it: 3.5
# chunks/s by default, 11.2 with a 30,000-round spin, 13.3 with no spinning at all
# (OMP_WAIT_POLICY=PASSIVE) -- but passive waiting cost 17% on a quiet machine, and the
# short spin costs nothing there (24.5 chunks/s either way).
os.environ.setdefault("GOMP_SPINCOUNT", "30000")
# numpy's OpenBLAS keeps its own threads spinning after every matrix call; Cairn's numpy
# work is small (norms, re-ranking a few hundred vectors), and the spinning took 1.4% of
# the CPU from embedding (perf, quiet machine) and more when the CPU is shared.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
