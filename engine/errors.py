"""Cairn's own exception types.

Every message is written for the person using Cairn: it says what went wrong and,
where there is one, what to do about it. The CLI prints `str(error)` and exits
non-zero; the GUI shows it; `Cancelled` is never shown.
"""


class CairnError(Exception):
    """Root of every error Cairn raises on purpose."""


class Cancelled(CairnError):
    """The user stopped a long operation; not a failure."""


class ConfigError(CairnError):
    """Settings or paths that cannot be used as given."""


class ModelLoadError(CairnError):
    """A model file is missing, unreadable or not a usable GGUF model."""


class ModelMismatchError(CairnError):
    """The index was built with another embedding model than the one configured."""


class ExtractionError(CairnError):
    """A file's text could not be read; recorded against that file, indexing goes on."""


class UnsupportedFile(ExtractionError):
    """A file whose kind Cairn does not read (binary, unknown extension)."""


class StoreError(CairnError):
    """The index database cannot be opened or is damaged."""


class PassphraseRequired(StoreError):
    """The index is encrypted and no passphrase was given."""


class WrongPassphrase(StoreError):
    """The passphrase does not open the encrypted index."""


class IndexReadOnly(StoreError):
    """The index's files cannot be written (a read-only mount, no write permission): it can only be read."""


class IndexLockedError(CairnError):
    """Another Cairn process is already writing to this index."""


class FolderError(CairnError):
    """A folder given to add or remove cannot be used."""


class QuestionError(CairnError):
    """A question that cannot be answered as asked (empty, too long, a bad number of sources)."""


class EvaluationError(CairnError):
    """An evaluation set (`cairn eval`) that cannot be read or used as given."""


class ImageRefused(ExtractionError):
    """A picture not decoded on purpose: too many pixels (a decompression bomb), or damaged data."""


class OcrUnavailable(ExtractionError):
    """A scan or photo that needs OCR, on an installation without Tesseract's language data."""
