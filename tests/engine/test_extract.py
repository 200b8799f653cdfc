"""Extraction: the right text from real files, and a clear reason when there is none.

Every file here is written by the test itself with the same libraries a user's
software would use (fpdf2, pypdf, python-docx, the email package), so the
assertions are about what a person searching their files would notice: the
right words on the right page, headings as sections, no script code, no
garbage from binary files, and errors that say what to do without hanging.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from email import policy
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.xmlchemy import BaseOxmlElement
from fpdf import FPDF
from pypdf import PdfWriter

from engine.errors import ExtractionError, UnsupportedFile
from engine.extract import Document, extract, is_supported
from engine.store import Store
from tests.books import office_zip_bomb, password_protected

REPO_ROOT = Path(__file__).resolve().parents[2]
LIMIT = 50 * 1024 * 1024
PAGES = ("Apples grow in the orchard.", "Bananas ripen in the dark.", "Cherries are picked in June.")


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def make_pdf(pages: tuple[str, ...] = PAGES, title: str = "Fruit Report") -> bytes:
    pdf = FPDF()
    pdf.set_title(title)
    pdf.set_font("Helvetica", size=12)
    for text in pages:  # each page's last line its own ("Page 2 ends here." on every page is a running footer)
        pdf.add_page()
        pdf.multi_cell(0, 10, f"{text}\n\nThe {text.split()[0].lower()} page ends here.")
    return bytes(pdf.output())


def encrypted_pdf(user_password: str, owner_password: str | None = None) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf()))
    writer.encrypt(user_password, owner_password=owner_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def reason(path: Path, max_bytes: int = LIMIT) -> str:
    with pytest.raises(ExtractionError) as info:
        extract(path, max_bytes)
    return str(info.value)


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_text_lands_on_the_right_page(tmp_path: Path) -> None:
    doc = extract(write(tmp_path / "report.pdf", make_pdf()), LIMIT)
    assert doc.kind == "pdf" and doc.title == "Fruit Report" and not doc.truncated
    assert [p.number for p in doc.pages] == [1, 2, 3]
    for page, fruit in zip(doc.pages, ("Apples", "Bananas", "Cherries")):
        on_page = doc.text[page.start:page.end]
        assert fruit in on_page and f"The {fruit.lower()} page ends here." in on_page
        assert all(other not in on_page for other in ("Apples", "Bananas", "Cherries") if other != fruit)
    assert doc.text.count("\n\n") >= 2  # pages are separate paragraphs


def test_password_protected_pdf_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "locked.pdf", encrypted_pdf("s3cret"))
    assert reason(path) == "password-protected PDF: Cairn cannot read encrypted PDFs"


def test_pdf_restricted_only_by_an_owner_password_is_still_read(tmp_path: Path) -> None:
    doc = extract(write(tmp_path / "no-print.pdf", encrypted_pdf("", owner_password="owner")), LIMIT)
    assert "Bananas ripen in the dark." in doc.text and len(doc.pages) == 3


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_damaged_pdf_gives_a_reason_without_its_content(tmp_path: Path, damage: str) -> None:
    good = make_pdf(("Confidential salary figures",))
    data = good[: len(good) // 3] if damage == "truncated" else b"%PDF-1.7\n" + random.Random(1).randbytes(4000)
    text = reason(write(tmp_path / "broken.pdf", data))
    assert "PDF" in text and "damaged" in text
    assert "salary" not in text.lower()


def test_pdf_over_the_page_limit_is_marked_truncated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.extract.pdf.MAX_PDF_PAGES", 2)
    doc = extract(write(tmp_path / "long.pdf", make_pdf()), LIMIT)
    assert doc.truncated and [p.number for p in doc.pages] == [1, 2]
    assert "Bananas" in doc.text and "Cherries" not in doc.text


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_keeps_headings_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Flat Lease"
    document.add_heading("Lease", 0)
    document.add_paragraph("This lease starts in May.")
    document.add_heading("Deposit", 1)
    document.add_paragraph("The deposit is two months of rent.")
    table = document.add_table(rows=2, cols=2)
    for (row, col), value in {(0, 0): "Tenant", (0, 1): "Rent", (1, 0): "Ann Smith", (1, 1): "900 EUR"}.items():
        table.cell(row, col).text = value
    document.add_heading("Pets", 2)
    document.add_paragraph("Cats are allowed.")
    path = tmp_path / "lease.docx"
    document.save(str(path))

    doc = extract(path, LIMIT)
    assert doc.kind == "docx" and doc.title == "Flat Lease"
    assert [(h.level, h.text) for h in doc.headings] == [(1, "Lease"), (1, "Deposit"), (2, "Pets")]
    for h in doc.headings:
        assert doc.text[h.start:].startswith(h.text)
    assert "Ann Smith | 900 EUR" in doc.text
    order = [doc.text.index(s) for s in ("May", "two months", "Ann Smith", "Cats")]
    assert order == sorted(order)
    deposit_section = doc.text[doc.headings[1].start:doc.headings[2].start]
    assert "900 EUR" in deposit_section  # the table belongs to the section it sits in


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def wml(markup: str) -> BaseOxmlElement:
    """One WordprocessingML element written as Word writes it (python-docx has no API for these)."""
    return parse_xml(f'<w:wrap {W_NS}>{markup}</w:wrap>')[0]


def test_docx_tracked_insertions_are_found_and_deletions_are_not(tmp_path: Path) -> None:
    # a contract under review: Word keeps the edits as w:ins / w:del / w:moveFrom / w:moveTo
    document = docx.Document()
    clause = document.add_paragraph("The tenant pays ")
    clause._p.append(wml('<w:ins w:id="1" w:author="Counsel" w:date="2024-03-01T10:00:00Z">'
                         '<w:r><w:t xml:space="preserve">a deposit of two months</w:t></w:r></w:ins>'))
    clause._p.append(wml('<w:del w:id="2" w:author="Counsel" w:date="2024-03-01T10:00:00Z">'
                         '<w:r><w:delText xml:space="preserve">one month of</w:delText></w:r></w:del>'))
    clause.add_run(" rent.")
    moved = document.add_paragraph("Pets: ")
    moved._p.append(wml('<w:moveTo w:id="3" w:author="Counsel" w:date="2024-03-01T10:00:00Z">'
                        '<w:r><w:t>cats are allowed.</w:t></w:r></w:moveTo>'))
    old_place = document.add_paragraph("Parking is free.")
    old_place._p.append(wml('<w:moveFrom w:id="4" w:author="Counsel" w:date="2024-03-01T10:00:00Z">'
                            '<w:r><w:t xml:space="preserve"> Moved-away wording.</w:t></w:r></w:moveFrom>'))
    path = tmp_path / "lease-redline.docx"
    document.save(str(path))

    text = extract(path, LIMIT).text
    assert text == "The tenant pays a deposit of two months rent.\n\nPets: cats are allowed.\n\nParking is free."


def test_docx_text_in_content_controls_fields_and_tags_is_found(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Cover letter.")
    body = document.element.body
    sectPr = body[-1]  # the section properties stay last
    sectPr.addprevious(wml(  # a block content control holding a heading and a paragraph
        '<w:sdt><w:sdtPr><w:alias w:val="Clause"/></w:sdtPr><w:sdtContent>'
        '<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Indemnity</w:t></w:r></w:p>'
        '<w:p><w:r><w:t>The supplier indemnifies the buyer.</w:t></w:r></w:p>'
        '</w:sdtContent></w:sdt>'))
    sectPr.addprevious(wml(
        '<w:customXml w:element="clause"><w:p><w:r><w:t>Governed by Irish law.</w:t></w:r></w:p></w:customXml>'))
    inline = document.add_paragraph("Signed by ")
    inline._p.append(wml('<w:sdt><w:sdtPr><w:text/></w:sdtPr><w:sdtContent>'
                         '<w:r><w:t>Ann Smith</w:t></w:r></w:sdtContent></w:sdt>'))
    inline._p.append(wml('<w:r><w:t xml:space="preserve"> in </w:t></w:r>'))
    inline._p.append(wml('<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">'
                         '<w:r><w:t>Dublin</w:t></w:r></w:smartTag>'))
    inline._p.append(wml('<w:r><w:t xml:space="preserve"> on </w:t></w:r>'))
    inline._p.append(wml('<w:fldSimple w:instr=" DATE \\@ &quot;d MMMM yyyy&quot; ">'
                         '<w:r><w:t>3 May 2024</w:t></w:r></w:fldSimple>'))
    cell = document.add_table(rows=1, cols=2).cell(0, 1)
    cell._tc.append(wml('<w:sdt><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>900 EUR</w:t></w:r></w:p>'
                        '</w:sdtContent></w:sdt>'))
    path = tmp_path / "contract.docx"
    document.save(str(path))

    doc = extract(path, LIMIT)
    assert doc.text.split("\n\n") == [
        "Cover letter.", "Indemnity", "The supplier indemnifies the buyer.", "Governed by Irish law.",
        "Signed by Ann Smith in Dublin on 3 May 2024", "900 EUR",
    ]
    assert [(h.level, h.text) for h in doc.headings] == [(1, "Indemnity")]
    assert doc.text[doc.headings[0].start:].startswith("Indemnity")


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    path.write_bytes(office_zip_bomb("word/document.xml"))
    assert path.stat().st_size < 200_000
    started = time.monotonic()
    text = reason(path)
    assert "zip bomb" in text and time.monotonic() - started < 1


def test_damaged_docx_gives_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "broken.docx", b"PK\x03\x04" + b"private notes " * 50)
    text = reason(path)
    assert text.startswith("damaged Word document") and "private" not in text


def lease_docx(tmp_path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Lease", 1)
    document.add_paragraph("This lease starts in May.")
    path = tmp_path / "lease.docx"
    document.save(str(path))
    return path


def rewrite_zip(path: Path, drop: str | None = None, edit: tuple[str, bytes, bytes] | None = None) -> None:
    """Remove one part, or replace bytes in one, as a careless converter leaves a .docx."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist() if name != drop}
    if edit is not None:
        name, old, new = edit
        parts[name] = parts[name].replace(old, new)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)


@pytest.mark.parametrize("missing", [
    "docProps/thumbnail.jpeg", "docProps/core.xml", "customXml/item1.xml", "word/numbering.xml",
    "word/settings.xml", "word/theme/theme1.xml", "word/styles.xml",
])
def test_docx_missing_a_secondary_part_is_still_read(tmp_path: Path, missing: str) -> None:
    path = lease_docx(tmp_path)
    rewrite_zip(path, drop=missing)
    doc = extract(path, LIMIT)
    assert doc.text == "Lease\n\nThis lease starts in May."
    assert [(h.level, h.text) for h in doc.headings] == [(1, "Lease")]
    assert doc.title is None  # not python-docx's stand-in "Word Document" when core.xml is missing


def test_docx_with_a_relationship_to_nothing_is_still_read(tmp_path: Path) -> None:
    # some converters write Target="NULL" for an image they failed to embed
    path = lease_docx(tmp_path)
    null_image = (b'<Relationship Id="rId99" Target="NULL" '
                  b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>')
    rewrite_zip(path, edit=("word/_rels/document.xml.rels", b"</Relationships>", null_image + b"</Relationships>"))
    assert extract(path, LIMIT).text == "Lease\n\nThis lease starts in May."


def test_docx_without_its_main_document_part_is_damaged(tmp_path: Path) -> None:
    path = lease_docx(tmp_path)
    rewrite_zip(path, drop="word/document.xml")
    assert reason(path).startswith("damaged Word document")


def test_password_protected_docx_is_named_as_such(tmp_path: Path) -> None:
    # Word saves encrypted documents as OLE compound files, whatever the extension
    path = write(tmp_path / "locked.docx", password_protected(lease_docx(tmp_path).read_bytes()))
    assert reason(path) == "password-protected Word document: Cairn reads only documents saved without a password"


# --- E-mail ------------------------------------------------------------------------------------


def test_email_headers_plain_body_and_attachment_names(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "Réunion über Käse — 会議"
    message["From"] = "Zoë Müller <zoe@example.org>"
    message["To"] = "bob@example.com"
    message["Cc"] = "Ève <eve@example.com>"
    message["Date"] = "Tue, 05 Mar 2024 10:00:00 +0100"
    message.set_content("Bonjour Bob,\n\nLe fromage coûte 12 €.\n", cte="quoted-printable")
    message.add_alternative("<p>Rendered HTML copy</p>", subtype="html")
    message.add_attachment(b"%PDF-1.4 invoice body", maintype="application", subtype="pdf",
                           filename="facture-été.pdf")
    path = write(tmp_path / "meeting.eml", message.as_bytes(policy=policy.SMTP))

    doc = extract(path, LIMIT)
    assert doc.kind == "email" and doc.title == "Réunion über Käse — 会議"
    assert doc.text.startswith("Subject: Réunion über Käse — 会議\nFrom: Zoë Müller <zoe@example.org>\n")
    assert "Cc: Ève <eve@example.com>" in doc.text and "Date: Tue, 05 Mar 2024" in doc.text
    assert "Le fromage coûte 12 €." in doc.text
    assert "Rendered HTML copy" not in doc.text  # plain text preferred, not both
    assert "Attachments: facture-été.pdf" in doc.text and "invoice body" not in doc.text


def test_html_only_email_in_latin1_base64_is_converted(tmp_path: Path) -> None:
    message = EmailMessage()
    message["Subject"] = "Menu"
    html = "<h1>Carte</h1><p>Caf\xe9 cr\xe8me</p><script>track()</script>".encode("latin-1")
    message.set_content(html, maintype="text", subtype="html", cte="base64")
    message.set_param("charset", "iso-8859-1")
    doc = extract(write(tmp_path / "menu.eml", message.as_bytes()), LIMIT)
    assert "Café crème" in doc.text and "track" not in doc.text
    assert [h.text for h in doc.headings] == ["Carte"]
    assert doc.text[doc.headings[0].start:].startswith("Carte")


GREETING = "Le café du marché ouvre à sept heures. Grüße aus München."


def raw_mail(content_type: str | None, body: bytes, headers: bytes = b"Subject: Menu\r\n") -> bytes:
    """A mail as old or careless clients write it: 8-bit body, charset missing or wrong."""
    head = headers + b"MIME-Version: 1.0\r\n"
    if content_type is not None:
        head += f"Content-Type: {content_type}\r\nContent-Transfer-Encoding: 8bit\r\n".encode()
    return head + b"\r\n" + body + b"\r\n"


@pytest.mark.parametrize(("content_type", "charset"), [
    (None, "utf-8"),  # no Content-Type at all
    (None, "latin-1"),
    ("text/plain", "utf-8"),  # no charset
    ("text/plain", "cp1252"),
    ("text/plain; charset=us-ascii", "utf-8"),  # declared wrong
    ("text/plain; charset=utf-8", "latin-1"),
    ("text/plain; charset=x-unknown", "latin-1"),
    ("text/plain; charset=iso-2022-jp", "iso-2022-jp"),  # declared right: a 7-bit charset, also valid UTF-8
], ids=["none-utf8", "none-latin1", "nocharset-utf8", "nocharset-cp1252", "ascii-is-utf8", "utf8-is-latin1",
        "unknown-is-latin1", "iso-2022-jp"])
def test_email_body_with_a_missing_or_wrong_charset_keeps_its_letters(
        tmp_path: Path, content_type: str | None, charset: str) -> None:
    text = "東京の会議は午後三時からです。" if charset == "iso-2022-jp" else GREETING
    path = write(tmp_path / "menu.eml", raw_mail(content_type, text.encode(charset)))
    assert extract(path, LIMIT).text == f"Subject: Menu\n\n{text}"


def test_html_email_without_a_charset_is_decoded_with_its_meta_charset(tmp_path: Path) -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Café crème about otters.</p></body></html>'
    path = write(tmp_path / "otters.eml", raw_mail("text/html", html.encode("latin-1")))
    assert "Café crème about otters." in extract(path, LIMIT).text


@pytest.mark.parametrize("charset", ["latin-1", "utf-8"])
def test_raw_8bit_headers_are_decoded(tmp_path: Path, charset: str) -> None:
    headers = "Subject: Café über alles\r\nFrom: Jürgen Groß <j@example.com>\r\nDate: Mon, 3 Feb 2025 10:00:00 +0100\r\n"
    body = "Grüße aus München.".encode(charset)
    path = write(tmp_path / "orchard.eml", raw_mail(f"text/plain; charset={charset}", body, headers.encode(charset)))
    doc = extract(path, LIMIT)
    assert doc.title == "Café über alles"
    assert doc.text == ("Subject: Café über alles\nFrom: Jürgen Groß <j@example.com>\n"
                        "Date: Mon, 03 Feb 2025 10:00:00 +0100\n\nGrüße aus München.")


# --- HTML --------------------------------------------------------------------------------------


def test_html_drops_scripts_and_keeps_structure(tmp_path: Path) -> None:
    page = b"""<!doctype html><html><head><meta charset="utf-8"><title>Garden  Notes</title>
    <style>body { color: red }</style><script>var tracking = "SECRET";</script></head>
    <body><noscript>Enable JavaScript</noscript><h1>Roses</h1><p>Prune in <b>early</b>
    spring.</p><section><h2>Pests <small>and cures</small></h2><div>Aphids hate soap.</div>
    <template><p>never shown</p></template></section><h2>Tools</h2><ul><li>Shears</li><li>Gloves</li></ul>
    </body></html>"""
    doc = extract(write(tmp_path / "garden.html", page), LIMIT)
    assert doc.kind == "html" and doc.title == "Garden Notes"
    for hidden in ("SECRET", "color", "Enable JavaScript", "never shown"):
        assert hidden not in doc.text
    assert "Prune in early spring." in doc.text
    assert [(h.level, h.text) for h in doc.headings] == [(1, "Roses"), (2, "Pests and cures"), (2, "Tools")]
    for h in doc.headings:
        assert doc.text[h.start:h.start + len(h.text)] == h.text
    assert "Shears\n\nGloves" in doc.text  # list items are separate paragraphs


def test_html_declaring_its_charset_is_decoded_with_it(tmp_path: Path) -> None:
    page = '<html><head><meta charset="windows-1251"><title>Отчёт</title></head><body><p>Привет, мир</p>'
    doc = extract(write(tmp_path / "ru.html", page.encode("cp1251")), LIMIT)
    assert doc.title == "Отчёт" and doc.text == "Привет, мир" and doc.encoding == "cp1251"


def test_deeply_nested_html_does_not_crash_or_crawl(tmp_path: Path) -> None:
    depth = 100_000
    page = b"<title>Deep</title>" + b"<div>" * depth + b"Buried treasure" + b"</div>" * depth
    started = time.monotonic()
    doc = extract(write(tmp_path / "deep.html", page), LIMIT)
    assert "Buried treasure" in doc.text and doc.title == "Deep"
    assert time.monotonic() - started < 3



def test_deeply_nested_turkish_page_keeps_its_text_and_hides_its_script(tmp_path: Path) -> None:
    # lower-casing "İ" makes two characters: every offset after it pointed elsewhere in the page
    towns = "İzmir, İstanbul, İnebolu, İskenderun, İzmit, İnegöl, İpsala, İspir, İliç, İdil, İmranlı, İvrindi"
    depth = 30_000  # deep enough to be read without the parser
    page = (f'<title>Gezi</title><p>{towns}.</p><script>var gizli = "SECRET";</script>'
            f"<p>Boğaz turu cumartesi.</p>{'<div>' * depth}Derinde.{'</div>' * depth}")
    doc = extract(write(tmp_path / "gezi.html", page.encode()), LIMIT)
    assert doc.text == f"{towns}.\n\nBoğaz turu cumartesi.\n\nDerinde."

# --- Text, Markdown, encodings -----------------------------------------------------------------

FRENCH = "Le café de la gare ouvre à sept heures; les élèves y déjeunent après l'école.\n"
QUOTES = "He said “hello” – and paid 5 € for the naïve café’s crème brûlée.\n"


@pytest.mark.parametrize(("text", "raw", "encoding"), [
    (FRENCH, FRENCH.encode("latin-1"), "cp1252"),  # latin-1 letters read the same in cp1252
    (QUOTES, QUOTES.encode("cp1252"), "cp1252"),
    (FRENCH, b"\xff\xfe" + FRENCH.encode("utf-16-le"), "utf-16-le"),
    (QUOTES, "\ufeff".encode("utf-8") + QUOTES.encode("utf-8"), "utf-8"),
], ids=["latin-1", "cp1252", "utf-16-bom", "utf-8-bom"])
def test_legacy_encodings_are_decoded(tmp_path: Path, text: str, raw: bytes, encoding: str) -> None:
    doc = extract(write(tmp_path / "notes.txt", raw), LIMIT)
    assert doc.text == text and doc.encoding == encoding


# Short notes in Western European languages, as old Windows editors saved them (cp1252, or
# latin-1, its subset): few of the letters that tell the Western, Baltic, Mac and DOS code pages
# apart, so the detector alone read them as mac_iceland, hp_roman8, cp775 or cp1257.
WESTERN_NOTES = {
    "finnish": "Hei kaikki,\n\nTänään on kaunis sää ja lähdemme järvelle heti yhdeksän jälkeen. "
               "Päivi tuo kahvin.\n",
    "finnish-short": "Hyvää päivää! Tänään on kaunis sää ja lähdemme järvelle.\n",
    "german": "Der Bürgermeister öffnete die Brücke. Naïve café résumé.\nNew paragraph here about the lighthouse.\n",
    "swedish": "Kära vänner, vi ses på fredag. Glöm inte att ta med kaffe och kakor!\n",
    "french": "The naïve façade of the café — “déjà vu” – all over again.\n",
    "french-letter": "Chère Hélène,\n\nNous avons bien reçu ta lettre. La réunion aura lieu à la mairie "
                     "le mercredi 3 février à 18h. Ça nous aidera beaucoup.\n\nAmitiés,\nFrançois\n",
    "spanish": "Años atrás, el niño comió piña en la montaña. ¿Qué pasó? ¡Olé!\n",
    "italian": "Caro Niccolò, la città è bellissima; però il caffè costa più di un euro.\n",
    "quotes": "Smart “quotes” and – dashes … café €5.\n",
}


@pytest.mark.parametrize("name", WESTERN_NOTES)
def test_short_western_european_notes_are_read_as_windows_1252(tmp_path: Path, name: str) -> None:
    text = WESTERN_NOTES[name]
    doc = extract(write(tmp_path / f"{name}.txt", text.encode("cp1252")), LIMIT)
    assert doc.text == text and doc.encoding == "cp1252"


# Texts whose bytes also decode in cp1252 (or nearly) but are not Western: the preference for
# cp1252 must not take them.
FOREIGN_NOTES = {
    "russian-cp1251": ("cp1251", "Уважаемые коллеги! Напоминаем, что собрание отдела состоится в пятницу в десять "
                                 "часов утра в большом зале. Просим подготовить отчёты о работе за квартал.\n"),
    "greek-cp1253": ("cp1253", "Καλημέρα σας! Η συνάντηση θα γίνει αύριο στις δέκα το πρωί στο γραφείο μας "
                               "στην Αθήνα. Παρακαλώ φέρτε τα έγγραφα και τους λογαριασμούς.\n"),
    "japanese-shift-jis": ("shift_jis", "東京の会議は午後三時から始まります。参加者は会議室に集まってください。"
                                        "資料は事前に配布します。\n"),
    "polish-cp1250": ("cp1250", "Zażółć gęślą jaźń. Wczoraj byłem w sklepie i kupiłem chleb, masło oraz świeże "
                                "owoce dla całej rodziny.\n"),
}


@pytest.mark.parametrize("name", FOREIGN_NOTES)
def test_non_western_legacy_text_is_still_detected(tmp_path: Path, name: str) -> None:
    encoding, text = FOREIGN_NOTES[name]
    doc = extract(write(tmp_path / f"{name}.txt", text.encode(encoding)), LIMIT)
    assert doc.text == text



# Notes as some Windows tools save them: UTF-16 without a byte-order mark, CRLF line ends.
BOMLESS_UTF16 = {
    "english-le": ("utf-16-le", "Shopping list for Saturday 😀\r\nBread, milk and 12 eggs from the farm shop.\r\n"
                                "Call Anna about the boat trip at 10:30.\r\n"),
    "japanese-le": ("utf-16-le", "会議のメモ\r\n来週の会議は午後三時から始まります。\u3000資料は事前に配布します。\r\n"
                                 "参加者：田中、鈴木、佐藤\r\n"),
    "russian-be": ("utf-16-be", "Заметки о встрече\r\nКапитан порта хранит таблицы приливов в синей книге.\r\n"),
}


@pytest.mark.parametrize("name", BOMLESS_UTF16)
def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path, name: str) -> None:
    encoding, text = BOMLESS_UTF16[name]
    doc = extract(write(tmp_path / f"{name}.txt", text.encode(encoding)), LIMIT)
    assert doc.text == text.replace("\r\n", "\n") and doc.encoding == encoding


def _sqlite_database(folder: Path) -> bytes:
    store = Store.open(folder / "index.db")
    store.close()
    return (folder / "index.db").read_bytes()


@pytest.mark.parametrize("binary", ["python", "sqlite", "zip", "png"])
def test_binaries_are_not_taken_for_utf16_text(tmp_path: Path, binary: str) -> None:
    """UTF-16 is recognised by its zero bytes, and binaries are full of them."""
    if binary == "python":
        data = Path(sys.executable).resolve().read_bytes()[:200_000]
    elif binary == "sqlite":
        data = _sqlite_database(tmp_path)
    elif binary == "zip":
        document = docx.Document()
        document.add_paragraph("Quarterly numbers.")
        document.save(str(tmp_path / "report.docx"))
        data = (tmp_path / "report.docx").read_bytes()
    else:
        data = (REPO_ROOT / "docs" / "screenshots" / "search.png").read_bytes()
    with pytest.raises(UnsupportedFile, match=r"^binary file \(not text\)$"):
        extract(write(tmp_path / "notes.txt", data), LIMIT)

def test_windows_line_endings_are_normalised(tmp_path: Path) -> None:
    doc = extract(write(tmp_path / "list.txt", b"one\r\ntwo\r\n\r\nthree"), LIMIT)
    assert doc.text == "one\ntwo\n\nthree"


def test_markdown_headings_and_title_ignore_code_blocks(tmp_path: Path) -> None:
    source = "Intro line.\n\n# Trip to Oslo\n\nWe flew.\n\n```sh\n# not a heading\n```\n\nDay two\n-------\n\n## [Museums](http://x)\n"
    doc = extract(write(tmp_path / "trip.md", source.encode()), LIMIT)
    assert doc.kind == "markdown" and doc.title == "Trip to Oslo"
    assert [(h.level, h.text) for h in doc.headings] == [(1, "Trip to Oslo"), (2, "Day two"), (2, "Museums")]
    assert [doc.text[h.start:].split("\n")[0] for h in doc.headings] == ["# Trip to Oslo", "Day two", "## [Museums](http://x)"]


def test_source_code_and_extensionless_text_are_read(tmp_path: Path) -> None:
    code = extract(write(tmp_path / "tool.py", b"def main() -> None:\n    print('hi')\n"), LIMIT)
    assert code.kind == "code" and "def main()" in code.text
    readme = tmp_path / "README"
    assert is_supported(readme)
    assert extract(write(readme, b"Read me first."), LIMIT).text == "Read me first."


def test_huge_text_is_cut_at_the_character_limit_and_flagged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("engine.extract.text.MAX_CHARS", 1000)
    doc = extract(write(tmp_path / "dump.log", b"x" * 5000), LIMIT)
    assert len(doc.text) == 1000 and doc.truncated


# --- What is not text, and files that cannot be read -------------------------------------------


def test_binary_content_is_unsupported_even_with_a_text_name(tmp_path: Path) -> None:
    data = random.Random(7).randbytes(3000) + b"\x00\x00" + random.Random(8).randbytes(3000)
    for name in ("photo.txt", "blob"):
        with pytest.raises(UnsupportedFile, match=r"^binary file \(not text\)$"):
            extract(write(tmp_path / name, data), LIMIT)


def test_unknown_file_types_are_not_supported(tmp_path: Path) -> None:
    assert not is_supported(tmp_path / "movie.mkv")
    assert is_supported(tmp_path / "Report.PDF") and is_supported(tmp_path / "page.htm")
    with pytest.raises(UnsupportedFile, match=r"^unsupported file type \.mkv$"):
        extract(write(tmp_path / "movie.mkv", b"\x1aE\xdf\xa3"), LIMIT)


@pytest.mark.parametrize("name", ["empty.txt", "empty.pdf", "empty.docx", "empty.eml"])
def test_zero_byte_file_gives_an_empty_document(tmp_path: Path, name: str) -> None:
    doc = extract(write(tmp_path / name, b""), LIMIT)
    assert isinstance(doc, Document) and doc.text == ""


def test_file_over_the_size_limit_is_refused_without_reading(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", b"a" * 5000)
    assert reason(path, max_bytes=1024) == "larger than the 1 KB limit"
    with open(path, "r+b") as f:  # the settings speak in MB; so does the reason
        f.truncate(51 * 1024 * 1024)
    assert reason(path) == "larger than the 50 MB limit"


def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    outcome: list[BaseException | Document] = []

    def run() -> None:
        try:
            outcome.append(extract(fifo, LIMIT))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "extracting a FIFO blocked"
    assert isinstance(outcome[0], ExtractionError) and "not a regular file" in str(outcome[0])


def test_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "notes.txt"
    folder.mkdir()
    assert reason(folder) == "is a folder, not a file"


def test_unreadable_file_says_permission_denied(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    secret = write(folder / "secret.txt", b"bank PIN 1234")
    secret.chmod(0o000)
    folder.chmod(0o755)
    try:
        if os.geteuid() != 0:
            text = reason(secret)
        else:  # root reads anything: drop to 'nobody' in a child process, importing first
            script = textwrap.dedent("""
                import os, sys
                from pathlib import Path
                from engine.errors import ExtractionError
                from engine.extract import extract
                os.chdir(sys.argv[1])  # 'nobody' cannot traverse pytest's private tmp folders
                os.setgroups([]); os.setgid(65534); os.setuid(65534)
                try:
                    extract(Path("secret.txt"), 1 << 20)
                except ExtractionError as exc:
                    print(exc)
                else:
                    print("read it")
            """)
            result = subprocess.run([sys.executable, "-c", script, str(folder)], cwd=REPO_ROOT,
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 0, result.stderr
            text = result.stdout.strip()
        assert text.startswith("permission denied") and "1234" not in text
    finally:
        secret.chmod(0o600)


def test_file_deleted_after_the_scan_says_it_disappeared(tmp_path: Path) -> None:
    path = write(tmp_path / "draft.txt", b"soon gone")
    assert is_supported(path)
    path.unlink()
    assert reason(path) == "file disappeared while being read"


def test_file_deleted_between_stat_and_open_says_it_disappeared(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "draft.md", b"# soon gone")
    real_open = os.open

    def delete_then_open(target: str | os.PathLike[str], flags: int, *args: int) -> int:
        Path(target).unlink(missing_ok=True)
        return real_open(target, flags, *args)

    monkeypatch.setattr(os, "open", delete_then_open)
    assert reason(path) == "file disappeared while being read"
