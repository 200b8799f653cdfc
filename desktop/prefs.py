"""The desktop app's own preferences, kept next to Cairn's settings.

Why not QSettings: the engine decides where Cairn's files live (`engine.config`,
honouring `CAIRN_HOME`), and tests and portable setups rely on that. These few choices
concern only the window, so they live in their own small file in the same config
folder instead of in the engine's `Settings`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields

from engine import Paths, replace_private

FILE_NAME = "desktop.json"


@dataclass
class Prefs:
    keep_in_tray: bool = True  # closing the window keeps Cairn watching from the tray
    tray_hint_shown: bool = False  # the "still running in the tray" message is shown once

    @classmethod
    def load(cls, paths: Paths) -> "Prefs":
        try:
            raw = json.loads((paths.config / FILE_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known}) if isinstance(raw, dict) else cls()

    def save(self, paths: Paths) -> None:
        replace_private(paths.config / FILE_NAME, json.dumps(asdict(self), indent=2))
