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
SECRET_ENVS = (ENV, NEW_ENV)  # kept out of the reader process (engine/runtime/spawn.py)
KEYRING_SERVICE = "cairn-index"


def stored(index_path: str, *, in_keyring: bool) -> str | None:
    """The passphrase kept for the index: the environment's, else the keyring's where the person keeps it there."""
    found = from_environment()
    if found is None and in_keyring:
        found = from_keyring(index_path)
    return found


def stored_one_is_wrong() -> str:
    """Say which stored passphrase failed: "wrong" alone sends the person looking in the wrong place."""
    if from_environment() is not None:
        return (f"The passphrase in {ENV} is wrong for the encrypted index; nothing was changed. "
                f"Set the right one, or unset {ENV} to be asked for it.")
    return ("The passphrase kept in the OS keyring is wrong for the encrypted index (it was changed since); "
            "nothing was changed. Run a cairn command on a terminal and type the current one: Cairn then "
            "puts it in the keyring.")


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
