"""Cairn's headless engine: everything but the windows.

Nothing in this package imports Qt; the CLI (`engine.cli`) and the desktop app
are thin clients of the typed API re-exported here.
"""

__version__ = "0.1.0"
