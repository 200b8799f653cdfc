"""Cairn's own log: what happened, never what was read.

Messages carry counts, durations and kinds of events only: no document text, no
queries, no file paths (paths alone can be sensitive, and the log is not
encrypted like the index). The file is private to the user (0600).
"""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from engine.errors import ConfigError

LOGGER = "cairn"


class _PrivateRotatingFileHandler(RotatingFileHandler):
    """Creates every log file 0600: the stock handler opens the file that follows a rotation with
    the default mode (0644 under the usual umask), so after the first 1 MB the log was readable by all."""

    def _open(self) -> TextIOWrapper:
        _create_private(Path(self.baseFilename))
        return super()._open()


def _create_private(path: Path) -> None:
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    elif path.stat().st_mode & 0o077:  # made by an earlier version, or after a rotation by one
        os.chmod(path, 0o600)


def setup(log_file: Path, *, required: bool = True) -> logging.Logger:
    """The logger writing to `log_file`; unless `required`, a home where it cannot be written logs nothing
    (a read-only index is still searched: its log is no reason to refuse)."""
    logger = logging.getLogger(LOGGER)
    if any(getattr(h, "baseFilename", None) == str(log_file) for h in logger.handlers):
        return logger
    for handler in list(logger.handlers):  # another home earlier in this process
        logger.removeHandler(handler)
        handler.close()
    try:
        for older in log_file.parent.glob(log_file.name + ".*"):  # rotated by an earlier version, 0644
            _create_private(older)
        handler = _PrivateRotatingFileHandler(log_file, maxBytes=1 << 20, backupCount=2, encoding="utf-8")
    except OSError as exc:  # a read-only or full home: say so, as for the index itself
        if not required:
            logger.addHandler(logging.NullHandler())
            logger.propagate = False
            return logger
        raise ConfigError(f"Cairn cannot write its log {log_file}: {exc.strerror or exc}. Make the folder "
                          "writable, or choose another place with --home DIR (or CAIRN_HOME).") from exc
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def get() -> logging.Logger:
    return logging.getLogger(LOGGER)
