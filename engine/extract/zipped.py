"""The checks every zipped-XML format (Word, PowerPoint, Excel, OpenDocument, EPUB) passes before a part is read.

Their libraries load whole parts into memory, so the zip's declared sizes are
checked first (zipfile never inflates past them): a zip bomb is refused before
anything is decompressed. Each format passes its own wording. (Password-protected
Office files are not zips at all but OLE containers, as the 97-2003 formats are:
the Office readers look for those first, engine.extract.ole.)
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from lxml import etree

from engine.errors import ExtractionError
from engine.extract.files import human_size
from engine.extract.limits import (
    MAX_ZIP_ENTRIES,
    MAX_ZIP_MEMBER_BYTES,
    MAX_ZIP_RATIO,
    MAX_ZIP_TOTAL_BYTES,
    ZIP_RATIO_MIN_BYTES,
)

# No entity expansion ("billion laughs"), no DTD or file fetched from anywhere.
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def check_zip(data: bytes, *, damaged: str, bomb: str) -> None:
    """Refuse what is not a zip, or would inflate beyond the limits; `bomb` has a {what} field."""
    open_checked(data, damaged, bomb).close()


def open_checked(data: bytes, damaged: str, bomb: str) -> zipfile.ZipFile:
    """The zip in `data`, refused with `damaged` (not a zip) or `bomb` (a format string with {what})."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ExtractionError(damaged) from None
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ExtractionError(bomb.format(what=f"more than {MAX_ZIP_ENTRIES} parts"))
    total = sum(info.file_size for info in infos)
    if total > MAX_ZIP_TOTAL_BYTES or any(info.file_size > MAX_ZIP_MEMBER_BYTES for info in infos):
        raise ExtractionError(bomb.format(what=f"more than {human_size(min(total, MAX_ZIP_TOTAL_BYTES))}"))
    for info in infos:
        if info.file_size > ZIP_RATIO_MIN_BYTES and info.file_size > MAX_ZIP_RATIO * max(1, info.compress_size):
            raise ExtractionError(bomb.format(
                what=f"{info.file_size // max(1, info.compress_size)} times its compressed size"))
    return archive


# The relationship to the core properties part (docProps/core.xml) in every Office Open XML package.
CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"


def properties_title(document: Any) -> str | None:
    """A python-docx or python-pptx document's title from its properties.

    Without a properties part both libraries make one up, titled "Word Document" or
    "PowerPoint Presentation": no title is better than that one."""
    try:
        document.part.package.part_related_by(CORE_PROPERTIES)
    except KeyError:
        return None
    return str(document.core_properties.title) or None


def read_xml(archive: zipfile.ZipFile, name: str) -> etree._Element | None:
    """The parsed member `name`, or None when the zip has no such member."""
    try:
        data = archive.read(name)
    except KeyError:
        return None
    return etree.fromstring(data, SAFE_XML)


_CONTENT_TYPES = "[Content_Types].xml"


def with_main_type(data: bytes, variants: re.Pattern[bytes], main: bytes) -> bytes:
    """The package with its main part's content type, if one of `variants`, changed to `main`.

    Macro-enabled files and templates (.docm .dotx .pptm .ppsx .potx ...) are the same packages as
    .docx and .pptx with another type on the main part, which python-docx and python-pptx refuse: the
    type is all that differs, so it is what is changed. `data` itself when no variant is found."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if _CONTENT_TYPES not in archive.namelist():
            return data
        types = archive.read(_CONTENT_TYPES)
        changed, count = variants.subn(main, types)
        if not count or changed == types:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
            for info in archive.infolist():
                copy.writestr(info, changed if info.filename == _CONTENT_TYPES else archive.read(info))
    return out.getvalue()
