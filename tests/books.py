"""Test files the readers' tests share: OpenDocument files and EPUB books written byte by byte, as
LibreOffice and e-book tools write them; Office files as Office saves them (zip bombs, password-protected
files, big workbooks in both Excel formats).

OpenDocument and EPUB are zips of XML; writing the parts here keeps the tests free of an office
suite while the files keep the structure real ones have (mimetype first and
stored, a manifest, the body in content.xml or in XHTML chapters).
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import xlwt
from msoffcrypto.format.ooxml import OOXMLFile

ODF_MIMETYPES = {
    "text": "application/vnd.oasis.opendocument.text",
    "spreadsheet": "application/vnd.oasis.opendocument.spreadsheet",
    "presentation": "application/vnd.oasis.opendocument.presentation",
}
_ODF_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
)


def odf(kind: str, body: str, title: str | None = None, encrypted: bool = False) -> bytes:
    """An .odt/.ods/.odp whose office:body holds `body` (inside office:text, office:spreadsheet ...)."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODF_NAMESPACES} '
               f'office:version="1.3"><office:body><office:{kind}>{body}</office:{kind}></office:body>'
               f'</office:document-content>')
    encryption = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x">'
                  '<manifest:algorithm manifest:algorithm-name="Blowfish CFB" manifest:initialisation-vector="x"/>'
                  '</manifest:encryption-data>') if encrypted else ""
    manifest = (f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {_ODF_NAMESPACES} manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODF_MIMETYPES[kind]}"/>'
                f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">'
                f'{encryption}</manifest:file-entry></manifest:manifest>')
    parts = {"META-INF/manifest.xml": manifest.encode(),
             "content.xml": bytes(range(256)) * 4 if encrypted else content.encode()}
    if title is not None:
        parts["meta.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_ODF_NAMESPACES}>'
                             f'<office:meta><dc:title>{title}</dc:title></office:meta></office:document-meta>').encode()
    return _zip(ODF_MIMETYPES[kind], parts)


def epub(title: str, chapters: list[tuple[str, str]], toc: dict[str, str] | None = None,
         encrypted: bool = False) -> bytes:
    """An EPUB 3 book: chapters as (file name, XHTML body), in spine order; `toc` file name -> label."""
    manifest = "".join(f'<item id="c{i}" href="text/{name}" media-type="application/xhtml+xml"/>'
                       for i, (name, _) in enumerate(chapters))
    spine = "".join(f'<itemref idref="c{i}"/>' for i in range(len(chapters)))
    # the spine lists the chapters in reading order; the zip holds them in another order
    parts = {f"OEBPS/text/{name}": (
        f'<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml">'
        f'<head><title>{title}</title></head><body>{body}</body></html>').encode()
        for name, body in reversed(chapters)}
    if toc:
        links = "".join(f'<li><a href="text/{name}">{label}</a></li>' for name, label in toc.items())
        manifest += '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        parts["OEBPS/nav.xhtml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" '
            'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>Contents</title></head><body>'
            f'<nav epub:type="toc"><ol>{links}</ol></nav></body></html>').encode()
    parts["OEBPS/content.opf"] = (
        '<?xml version="1.0" encoding="UTF-8"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>{title}</dc:title><dc:language>en</dc:language>'
        f'</metadata><manifest>{manifest}</manifest><spine>{spine}</spine></package>').encode()
    parts["META-INF/container.xml"] = (
        '<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
        '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
        '</rootfiles></container>').encode()
    if encrypted:
        refs = "".join(f'<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData>'
                       f'<CipherReference URI="OEBPS/text/{name}"/></CipherData></EncryptedData>'
                       for name, _ in chapters)
        parts["META-INF/encryption.xml"] = (
            f'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container">{refs}</encryption>').encode()
        for name, _ in chapters:
            parts[f"OEBPS/text/{name}"] = bytes(range(256)) * 4
    return _zip("application/epub+zip", parts)


def _zip(mimetype: str, parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def password_protected(office_file: bytes, password: str = "harbour") -> bytes:
    """An Office 2007+ file as Word or Excel saves it with a password (encrypted, in an OLE container)."""
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(office_file)).encrypt(password, out)
    return out.getvalue()


def office_zip_bomb(member: str) -> bytes:
    """An Office Open XML package whose `member` inflates to 48 MB of spaces from ~50 KB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(member, "w", force_zip64=True) as part:
            for _ in range(48):
                part.write(b" " * (1 << 20))
    return buffer.getvalue()


def zip_bomb(mimetype: str, member: str) -> bytes:
    """A zip whose one part inflates to ~600 MB from well under 1 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        with archive.open(member, "w", force_zip64=True) as part:
            chunk = b"<p>" + b"A" * (1 << 20) + b"</p>"
            for _ in range(600):
                part.write(chunk)
    return buffer.getvalue()


def big_sheet(rows: int) -> bytes:
    """A workbook (.xlsx) whose first sheet has `rows` rows of readings; a second sheet after it."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Readings")
    for i in range(rows):
        sheet.append([f"station {i}", i, "calm sea"])
    sheet2 = book.create_sheet("Summary")
    sheet2.append(["never reached"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def big_old_sheet(rows: int) -> bytes:
    """The same as an Excel 97-2003 workbook (.xls)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Readings")
    for i in range(rows):
        sheet.write(i, 0, f"station {i}")
        sheet.write(i, 1, i)
        sheet.write(i, 2, "calm sea")
    book.add_sheet("Summary").write(0, 0, "never reached")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
