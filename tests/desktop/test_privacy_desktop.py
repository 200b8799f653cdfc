"""What Qt itself keeps about the person's folders: nothing outside Cairn's home, nothing naming them.

Run in a process of its own, with its own HOME: Qt decides where its settings go once per process."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

FOLDER = "Clients-Vantreska-custody"  # a folder's name says what is in it

SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog
from desktop.app import build
from desktop.folders import choose_folder
from tests.fakes import FakeEmbedder

qt = QApplication([])
app = build(sys.argv[1], embedder=FakeEmbedder(), tray=False)
target = sys.argv[2]

def accept():
    dialogs = [w for w in qt.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible()]
    if not dialogs:
        QTimer.singleShot(20, accept)
        return
    dialogs[0].setDirectory(target)  # as a person browsing into it
    dialogs[0].selectFile(target)
    dialogs[0].accept()

QTimer.singleShot(0, accept)
print("chosen:", choose_folder(app.window))
app.session.close()
"""


def test_choosing_a_folder_leaves_no_trace_of_it(tmp_path: Path) -> None:
    """Qt's file dialog records the folders it visited ("history", "lastVisited") in ~/.config/QtProject.conf,
    readable by all and outside the (possibly encrypted) index; choosing a folder to add must not."""
    home, cairn_home = tmp_path / "home", tmp_path / "cairn-home"
    home.mkdir()
    folder = tmp_path / "work" / FOLDER
    (folder / "inside").mkdir(parents=True)
    env = {**os.environ, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": "",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("CAIRN_HOME", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(cairn_home), str(folder / "inside")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"chosen: {folder / 'inside'}" in done.stdout, "the dialog was used (so the check below means something)"
    written = [p for p in (*home.rglob("*"), *cairn_home.rglob("*")) if p.is_file()]
    assert [p for p in written if FOLDER.encode() in p.read_bytes()] == []
    for path in written:
        assert path.is_relative_to(cairn_home), f"{path} is outside Cairn's home"
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path.name} is readable by others"
