"""Where the index passphrase comes from, other than a prompt (which is the client's job).

Order: the caller's explicit value, `CAIRN_PASSPHRASE` (scripts, tests), then the
OS keyring if the user chose to keep it there. Never logged, never written to disk
by Cairn itself.
"""

from __future__ import annotations

import os

from engine.errors import ConfigError

ENV = "CAIRN_PASSPHRASE"
NEW_ENV = "CAIRN_NEW_PASSPHRASE"  # `cairn encrypt` in a script: the passphrase to change to
SECRET_ENVS = (ENV, NEW_ENV)  # kept out of the reader process (engine/clean_spawn.py)
KEYRING_SERVICE = "cairn-index"


def from_environment() -> str | None:
    return os.environ.get(ENV) or None


def from_keyring(index_path: str) -> str | None:
    keyring = _keyring()
    try:
        return keyring.get_password(KEYRING_SERVICE, index_path)
    except keyring.errors.KeyringError as exc:
        raise ConfigError(f"The OS keyring could not be read: {exc}") from exc


def save_to_keyring(index_path: str, passphrase: str) -> None:
    keyring = _keyring()
    try:
        keyring.set_password(KEYRING_SERVICE, index_path, passphrase)
    except keyring.errors.KeyringError as exc:
        raise ConfigError(
            f"The OS keyring is not available here ({exc}); use a prompt or CAIRN_PASSPHRASE instead."
        ) from exc


def _keyring():  # type: ignore[no-untyped-def]
    try:
        import keyring
        import keyring.errors
    except ImportError as exc:
        raise ConfigError("The keyring package is not installed; use a prompt or CAIRN_PASSPHRASE.") from exc
    return keyring
