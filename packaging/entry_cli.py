"""Entry point of the bundled `cairn` command (PyInstaller runs this file, not engine/cli)."""

import multiprocessing

if __name__ == "__main__":
    # Cairn reads files in a spawned worker process (engine/runtime/sandbox.py); in a frozen app the
    # spawned child re-runs this executable, and freeze_support() turns it into the worker.
    multiprocessing.freeze_support()
    from engine.cli import main

    main()
