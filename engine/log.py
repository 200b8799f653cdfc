"""Cairn's own log: what happened, never what was read.

Messages carry counts, durations and kinds of events only: no document text, no
queries, no file paths (paths alone can be sensitive, and the log is not
encrypted like the index). The file is private to the user (0600).
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

from engine.errors import ConfigError

LOGGER = "cairn"


def setup(log_file: Path) -> logging.Logger:
    logger = logging.getLogger(LOGGER)
    if any(getattr(h, "baseFilename", None) == str(log_file) for h in logger.handlers):
        return logger
    for handler in list(logger.handlers):  # another home earlier in this process
        logger.removeHandler(handler)
        handler.close()
    try:
        if not log_file.exists():
            os.close(os.open(log_file, os.O_WRONLY | os.O_CREAT, 0o600))
        handler = RotatingFileHandler(log_file, maxBytes=1 << 20, backupCount=2, encoding="utf-8")
    except OSError as exc:  # a read-only or full home: say so, as for the index itself
        raise ConfigError(f"Cairn cannot write its log {log_file}: {exc.strerror or exc}. Make the folder "
                          "writable, or choose another place with --home DIR (or CAIRN_HOME).") from exc
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def get() -> logging.Logger:
    return logging.getLogger(LOGGER)
