"""Cairn's headless engine: everything but the windows.

Nothing in this package imports Qt; the CLI (`engine.cli`) and the desktop app
are thin clients of the typed API re-exported here.
"""

__version__ = "0.1.0"

import os as _os

# llama.cpp's threads wait for each other through OpenMP, which by default spins. When
# the CPU is shared (a browser, a build, a second model), spinning threads steal each
# other's time slices: measured here under load, embedding fell to 1.5 chunks/s with
# spinning and ran at 9.1 with passive waiting. Set before llama.cpp's library loads;
# a user's own OMP_WAIT_POLICY wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
