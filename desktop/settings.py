"""The settings dialog: models, threads, file size limit, exclusions, tray behaviour.

Why the dialog checks before it accepts: a model file is loaded on a worker thread as
soon as it is chosen (desktop.model_files), and OK stays disabled until every chosen file
passed. Changing the embedding model makes the existing vectors useless, so when the
index holds passages made by another model the dialog asks first and, if the person
agrees, reports `needs_reindex`; the window then saves and runs `Cairn.reindex()` with
progress. The dialog itself never writes: it returns the new `Settings`.

The embedding model is first a choice of words, not of files (engine/embed/choice.py):
Automatic, English or Multilingual; a model file is for those who want one. The dialog
says which model the index uses and why, and offers the multilingual one when most
passages are not in English.
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from engine import Cairn, Settings, bundled_chat_model_path
from desktop import qt_settings
from desktop.model_files import ModelInfo, check_chat_model, check_embedding_model
from desktop.operation import Operation, describe
from desktop.prefs import Prefs
from desktop.session import Session


class ModelPicker(QWidget):
    """A path field with Browse and a reset button, and a line saying whether the file was accepted."""

    def __init__(self, empty_text: str, reset_text: str) -> None:
        super().__init__()
        self.path = QLineEdit()
        self.path.setPlaceholderText(empty_text)
        self.browse = QPushButton("Browse…")
        self.reset = QPushButton(reset_text)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        row.addWidget(self.reset)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.verdict)

    def value(self) -> str | None:
        return self.path.text().strip() or None


class SettingsDialog(QDialog):
    def __init__(self, session: Session, prefs: Prefs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cairn settings")
        self.session = session
        self.original = session.settings
        self.prefs = replace(prefs)
        self.needs_reindex = False
        self.embedding_info: ModelInfo | None = None
        self._checks: dict[str, Operation] = {}
        self._valid: dict[str, bool] = {"embedding": True, "chat": True}
        self.index_model: str | None = None  # fingerprint of the model the index was built with
        self.index_chunks: int | None = None  # None until read from the index
        self.index_choice: tuple[str, str, str | None] | None = None  # (model, reason, suggestion) of the index

        s = self.original
        self.languages = QComboBox()
        self.languages.setAccessibleName("Languages of your files")
        for text, value in CHOICES:
            self.languages.addItem(text, value)
        bundled = s.embedding_model in (None, "english", "multilingual")
        self.languages.setCurrentIndex(max(0, self.languages.findData(s.embedding_model)) if bundled else 0)
        self.choice_note = QLabel("")
        self.choice_note.setWordWrap(True)
        self.embedding = ModelPicker("Or a GGUF embedding model file", "Use &bundled")
        self.embedding.path.setText("" if bundled else s.embedding_model or "")
        self.embedding.path.setAccessibleName("Embedding model file")
        default_chat = bundled_chat_model_path()
        self.default_chat = default_chat.stem if default_chat.exists() else None
        self.chat = ModelPicker(f"Installed default: {self.default_chat}" if self.default_chat
                                else "None installed: answers quote your files", "&Default")
        self.chat.path.setText(s.chat_model or "")
        self.chat.path.setAccessibleName("Chat model file")
        self.answer_mode = QComboBox()
        self.answer_mode.addItem("Quote the passages that answer it", "extractive")
        self.answer_mode.addItem("Let the chat model write it, checked against the passages", "generative")
        self.answer_mode.setCurrentIndex(max(0, self.answer_mode.findData(s.answer_mode)))
        self.threads = QSpinBox()
        self.threads.setRange(0, max(2, (os.cpu_count() or 2) * 2))
        self.threads.setSpecialValueText("Automatic")
        self.threads.setValue(s.threads)
        self.max_mb = QDoubleSpinBox()
        self.max_mb.setRange(1, 4096)
        self.max_mb.setDecimals(0)
        self.max_mb.setSuffix(" MB")
        self.max_mb.setValue(s.max_file_mb)
        self.excludes = QPlainTextEdit("\n".join(s.excludes))
        self.excludes.setTabChangesFocus(True)
        self.excludes.setAccessibleName("Default exclusions")
        self.tray = QCheckBox("&Keep watching from the system tray when the window is closed")
        self.tray.setChecked(self.prefs.keep_in_tray)

        form = QFormLayout()
        form.addRow("Your files are &in:", self.languages)
        form.addRow("", self.choice_note)
        form.addRow("&Embedding model:", self.embedding)
        form.addRow("C&hat model:", self.chat)
        form.addRow("Answer a &question by:", self.answer_mode)
        form.addRow("&Threads:", self.threads)
        form.addRow("&Largest file read:", self.max_mb)
        form.addRow("E&xclusions for new folders\n(one pattern per line):", self.excludes)
        form.addRow("", self.tray)
        for field in (self.embedding, self.chat):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(field.path)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

        self.embedding.browse.clicked.connect(lambda: self._browse(self.embedding, "Choose an embedding model"))
        self.chat.browse.clicked.connect(lambda: self._browse(self.chat, "Choose a chat model"))
        self.embedding.reset.clicked.connect(lambda: self._set(self.embedding, ""))
        self.languages.currentIndexChanged.connect(lambda _: self._set(self.embedding, ""))
        self.chat.reset.clicked.connect(lambda: self._set(self.chat, ""))
        self.embedding.path.editingFinished.connect(lambda: self.check("embedding"))
        self.chat.path.editingFinished.connect(lambda: self.check("chat"))
        self.embedding.verdict.setText("Bundled model." if bundled else "In use.")
        self.chat.verdict.setText("In use." if s.chat_model else f"The installed default, {self.default_chat}."
                                  if self.default_chat else "No chat model: answers are quoted from your files.")

        def learn(got: tuple[str | None, int, tuple[str, str, str | None]]) -> None:
            self.index_model, self.index_chunks, self.index_choice = got
            model, reason, offer = got[2]
            note = f"Now: {CHOICE_NAMES.get(model, model)}, because {reason}."
            self.choice_note.setText(note + (f"\n{offer}" if offer else ""))

        session.run_read(lambda cairn, _: _index_model(cairn), name="index-model").on_success(learn)

    # ------------------------------------------------------------ model checks

    def _browse(self, picker: ModelPicker, title: str) -> None:
        start = picker.value() or str(self.session.paths.models)
        path, _ = QFileDialog.getOpenFileName(self, title, start, "GGUF models (*.gguf);;All files (*)")
        qt_settings.forget_visited_folders()
        if path:
            self._set(picker, path)

    def _set(self, picker: ModelPicker, path: str) -> None:
        picker.path.setText(path)
        self.check("embedding" if picker is self.embedding else "chat")

    def check(self, which: str) -> Operation | None:
        """Check the chosen file off the UI thread; OK waits for the verdict."""
        picker = self.embedding if which == "embedding" else self.chat
        path = self.embedding_value() if which == "embedding" else picker.value()
        if which == "embedding" and path is None and self.index_choice is not None:
            path = self.index_choice[0]  # Automatic: what this index took
        if which in self._checks:
            self._checks.pop(which).cancel()
        if which == "chat" and path is None:
            self._verdict(which, True, f"The installed default, {self.default_chat}." if self.default_chat
                          else "No chat model: answers are quoted from your files.")
            return None
        picker.verdict.setText("Checking the model…")
        self._valid[which] = False
        self._update_ok()
        threads = self.threads.value() or 1
        work = (lambda _: check_embedding_model(path, threads)) if which == "embedding" else (
            lambda _: check_chat_model(path or ""))
        op = Operation(work, name=f"check-{which}")
        op.on_success(lambda info: self._checked(which, info))
        op.on_failure(lambda exc: self._verdict(which, False, describe(exc)))
        op.on_done(lambda: self._check_done(which, op))
        self._checks[which] = op.start(self.session.preview_lane)
        return op

    def _check_done(self, which: str, op: Operation) -> None:
        if self._checks.get(which) is op:
            del self._checks[which]
        self._update_ok()

    def _checked(self, which: str, info: ModelInfo) -> None:
        if which == "embedding":
            self.embedding_info = info
            text = f"✓ {info.name}, {info.dimensions} dimensions."
        else:
            text = f"✓ {info.summary or info.name + '.'}"
        self._verdict(which, True, text)

    def _verdict(self, which: str, ok: bool, text: str) -> None:
        picker = self.embedding if which == "embedding" else self.chat
        picker.verdict.setText(text if ok else f"✗ {text}")
        self._valid[which] = ok
        self._update_ok()

    def _update_ok(self) -> None:
        ok = all(self._valid.values()) and not self._checks
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    @property
    def checking(self) -> bool:
        return bool(self._checks)

    # ------------------------------------------------------------ result

    def settings(self) -> Settings:
        """The settings as chosen here; those the dialog does not show are kept as they were."""
        return replace(
            self.original,
            embedding_model=self.embedding_value(),
            chat_model=self.chat.value(),
            answer_mode=str(self.answer_mode.currentData()),
            threads=self.threads.value(),
            max_file_mb=float(self.max_mb.value()),
            excludes=[line.strip() for line in self.excludes.toPlainText().splitlines() if line.strip()],
        )

    def embedding_value(self) -> str | None:
        """A model file if one is given, else the choice: None (automatic), "english" or "multilingual"."""
        value: str | None = self.languages.currentData()
        return self.embedding.value() or value

    def model_changed(self) -> bool:
        return self.embedding_value() != self.original.embedding_model

    def _accept(self) -> None:
        if self.checking or not all(self._valid.values()):
            return
        self.prefs.keep_in_tray = self.tray.isChecked()
        self.needs_reindex = False
        if self.model_changed() and self.embedding_info is None:
            self.check("embedding")  # typed in without leaving the field: check, then OK again
            return
        info = self.embedding_info
        if self.model_changed() and info is not None and self.index_chunks and info.model_id != self.index_model:
            answer = QMessageBox.question(
                self, "Re-embed your files?",
                f"Your index holds {self.index_chunks} passages made with another embedding model. "
                f"Switching to {info.name} means embedding all of them again; until that finishes, search "
                "finds only what is done.\n\nSwitch and re-embed now?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            self.needs_reindex = True
        self.accept()


CHOICES = (("Automatic (by your system's language)", None), ("English (small and fast)", "english"),
           ("Many languages (multilingual: an English question finds a German letter)", "multilingual"))
CHOICE_NAMES = {"english": "English", "multilingual": "many languages (multilingual)"}


def _index_model(cairn: Cairn) -> tuple[str | None, int, tuple[str, str, str | None]]:
    """The fingerprint of the model the index was built with, how many passages it holds, and the choice."""
    status = cairn.status()
    return (cairn.store.get_meta("model_id"), cairn.store.chunk_count(),
            (status.model_choice or "english", status.model_reason or "", status.suggestion))

