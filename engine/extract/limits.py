"""Safety limits against hostile or pathological files.

A personal folder can hold anything: a downloaded PDF with a million pages, a
.docx that is a zip bomb. Indexing must finish and keep memory bounded, so every
extractor stops at these limits. Text limits truncate (the Document is marked
`truncated`, the rest is still indexed); container limits refuse the file,
because a zip bomb has no useful text to salvage.
"""

from __future__ import annotations

import time

# Text kept from any one file. About 10,000 printed pages: beyond that a file
# is a data dump, not a document, and its chunks would crowd out everything else.
MAX_CHARS = 20_000_000

# Pages read from a PDF; the rest is left out and the Document marked truncated.
MAX_PDF_PAGES = 5_000

# DOCX (a zip of XML parts, all of which python-docx loads into memory).
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_MEMBER_BYTES = 200 * 1024 * 1024  # uncompressed size of one part
MAX_ZIP_TOTAL_BYTES = 400 * 1024 * 1024  # uncompressed size of all parts
# Real Word XML compresses 5-20x; a bomb of repeated bytes reaches ~1000x.
# Only parts big enough to hurt are checked, so tiny repetitive parts pass.
MAX_ZIP_RATIO = 100
ZIP_RATIO_MIN_BYTES = 10 * 1024 * 1024

# Containers (mails with attachments, archives; engine.extract.members): what one file on disk may
# hold in all, nesting included. Each member is also held to the size limit of a file.
MAX_NESTING = 3  # a zip in a zip in a mail is read; one more level is refused (42.zip nests 5 deep)
MAX_MEMBERS = 10_000  # members read from one container, all levels together
MAX_CONTAINER_BYTES = 1024 * 1024 * 1024  # their bytes, inflated, all levels together

# What a sheet read until its deadline leaves out (Excel and OpenDocument sheets alike): where it stopped,
# by numbers only, since a sheet's name is its content and this is written to the log.
ROWS_OUT_OF_TIME = ("the rows after row {row} of sheet {sheet}, and the sheets after it, were not read"
                    " in the time allowed")


def past(deadline: float | None) -> bool:
    """True once `deadline` (a time.monotonic() value; None: no deadline) has passed."""
    return deadline is not None and time.monotonic() > deadline
