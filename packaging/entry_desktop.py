"""Entry point of the bundled `cairn-desktop` app (PyInstaller runs this file)."""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()  # see entry_cli.py
    from desktop.app import main

    sys.exit(main())
