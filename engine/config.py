"""Where Cairn keeps its files, and the user's settings.

This is the one place that decides paths: `CAIRN_HOME` (or the CLI's `--home`)
puts everything under one folder, which is how tests and benchmarks stay out of
the user's real index; otherwise platformdirs gives each OS its usual places.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

from engine.errors import ConfigError

APP_NAME = "cairn"
ANSWER_MODES = ("extractive", "generative")  # quotes from the files, or written by the chat model and checked
HOME_ENV = "CAIRN_HOME"

# Secrets, version-control internals, dependency caches and browser or
# password-manager profiles: never worth indexing, often dangerous to.
DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".*",  # hidden files and folders (.ssh, .gnupg, .git, .env, ...)
    "node_modules",
    "*~",  # editor backups and temporary files of the save dance
    "*.swp",
    "*.tmp",
    "~$*",  # Office lock files
    "__pycache__",
    "*.key",
    "*.pem",
    "*.p12",
    "*.pfx",
    "*.kdbx",
    "id_rsa*",
    "id_ed25519*",
    "Keychains",
    "1Password*",
    "KeePass*",
    "Bitwarden",
    "*.mozilla",
    "Mozilla",
    "Firefox",
    "google-chrome",
    "chromium",
    "BraveSoftware",
)


@dataclass(frozen=True)
class Paths:
    """Every location Cairn writes to, derived from one decision."""

    data: Path
    config: Path
    cache: Path

    @property
    def index_db(self) -> Path:
        return self.data / "index.db"

    @property
    def models(self) -> Path:
        return self.data / "models"

    @property
    def settings_file(self) -> Path:
        return self.config / "settings.json"

    @property
    def lock_file(self) -> Path:
        return self.data / "writer.lock"

    @property
    def log_file(self) -> Path:
        return self.data / "cairn.log"

    @property
    def read_only(self) -> bool:
        """An index that exists but cannot be changed: a backup mounted read-only, or write permission taken
        from its folder or file. Cairn then opens it to read (search, ask, status) and refuses to change it.
        os.access also answers no for root on a read-only mount, where permissions alone do not stop root."""
        db = self.index_db
        return db.exists() and not (os.access(self.data, os.W_OK) and os.access(db, os.W_OK))

    def ensure(self) -> "Paths":
        """Create the folders private to the user (0700): the index holds their documents' text."""
        for folder in (self.data, self.config, self.cache, self.models):
            try:
                folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # never open to others, not even a moment
                if folder.stat().st_mode & 0o777 != 0o700:
                    os.chmod(folder, 0o700)
            except OSError as exc:
                raise ConfigError(f"Cairn cannot use the folder {folder}: {exc.strerror or exc}. Make it writable, "
                                  f"or choose another place with --home DIR (or CAIRN_HOME).") from exc
        return self


def replace_private(target: Path, text: str) -> None:
    """Replace `target` atomically by a file holding `text`, private to the user (0600) from its creation."""
    tmp = target.with_suffix(".tmp")
    with open(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)  # a copy left by a killed run keeps its old mode otherwise
        handle.write(text)
    os.replace(tmp, target)


def resolve_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """`home` (the `--home` option) wins over `CAIRN_HOME`, which wins over platformdirs."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    if chosen is not None:
        root = Path(chosen).expanduser().resolve()
        if root.exists() and not root.is_dir():
            raise ConfigError(f"Cairn home {root} exists and is not a folder.")
        return Paths(data=root / "data", config=root / "config", cache=root / "cache")
    return Paths(
        data=Path(platformdirs.user_data_dir(APP_NAME)),
        config=Path(platformdirs.user_config_dir(APP_NAME)),
        cache=Path(platformdirs.user_cache_dir(APP_NAME)),
    )


_OCR_CODE = re.compile(r"^[a-z]{3}(_[a-z]+)?$")  # Tesseract's language codes: eng, deu, chi_sim


@dataclass
class Settings:
    """What the user can change; saved as JSON next to nothing else."""

    embedding_model: str | None = None  # None: the bundled model
    chat_model: str | None = None  # None: the installed default, if any
    answer_mode: str = "extractive"  # "extractive" (quotes, always grounded) or "generative" (chat model)
    threads: int = 0  # 0: one per physical core
    max_file_mb: float = 50.0
    read_timeout_s: float = 60.0  # longest Cairn spends reading one file
    read_memory_mb: int = 1536  # memory the file reader process may use
    excludes: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDES))
    passphrase_in_keyring: bool = False  # the index passphrase is kept in the OS keyring
    ocr_languages: str = ""  # Tesseract's codes joined by "+" (eng+deu); "": English + the system locale's

    @classmethod
    def load(cls, paths: Paths) -> "Settings":
        try:
            raw = json.loads(paths.settings_file.read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"Cannot read settings file {paths.settings_file}: {exc}. Fix or delete it."
            ) from exc
        if not isinstance(raw, dict):
            raise ConfigError(f"Settings file {paths.settings_file} does not hold settings. Fix or delete it.")
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in raw.items() if k in known})
        problem = settings.problem()
        if problem:
            raise ConfigError(f"Settings file {paths.settings_file}: {problem}. Fix it, or set it again with "
                              "`cairn config set`.")
        return settings

    def problem(self) -> str | None:
        """What is wrong with these settings, for a person (None: nothing). A hand-edited file or a typo in
        `cairn config set` must be refused here, not turn into a crash in the middle of a search."""
        for name in ("embedding_model", "chat_model"):
            if not isinstance(getattr(self, name), (str, type(None))):
                return f"{name} must be a file path"
        if self.answer_mode not in ANSWER_MODES:
            return f"answer_mode must be {' or '.join(ANSWER_MODES)}, not {self.answer_mode!r}"
        for name, least in (("threads", 0), ("read_memory_mb", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                return f"{name} must be a whole number, not {value!r}"
            if value < least:
                return f"{name} must be {least} or more" if least == 0 else f"{name} must be more than 0"
        for name in ("max_file_mb", "read_timeout_s"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return f"{name} must be a number, not {value!r}"
            if not value > 0:
                return f"{name} must be more than 0"
        if not isinstance(self.excludes, list) or not all(isinstance(p, str) for p in self.excludes):
            return "excludes must be a list of patterns"
        if not isinstance(self.passphrase_in_keyring, bool):
            return "passphrase_in_keyring must be true or false"
        if not isinstance(self.ocr_languages, str):
            return "ocr_languages must be Tesseract's language codes joined by '+', e.g. eng+deu"
        bad = [c for c in re.split(r"[+,\s]+", self.ocr_languages.strip().lower()) if c and not _OCR_CODE.match(c)]
        if bad:
            return f"ocr_languages holds {', '.join(bad)}: use Tesseract's codes joined by '+', e.g. eng+deu"
        return None

    def save(self, paths: Paths) -> None:
        paths.ensure()
        try:
            replace_private(paths.settings_file, json.dumps(asdict(self), indent=2))
        except OSError as exc:
            raise ConfigError(f"Cannot save the settings to {paths.settings_file}: {exc.strerror or exc}. "
                              "Nothing was changed.") from exc

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    def thread_count(self) -> int:
        """Embedding contexts (one thread each): physical cores unless set, as SMT siblings
        share one core's vector units."""
        from engine.runtime.llama import default_threads

        return self.threads if self.threads > 0 else default_threads()
