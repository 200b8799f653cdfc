"""Outlook messages (.msg) as a person searches them: read as an .eml is, found by their words.

The files are real compound files with MAPI properties, written by msgforge as Outlook
saves a message (tests.outlook), some with properties left out as other mail clients
save them; they are read by python-oxmsg and go through the real store, and one test
through the sandboxed reader the app uses. Keyword search needs no real model, so the
fake embedder stands in where only the words matter.
"""

from __future__ import annotations

import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from engine.extract import extract
from engine.runtime.sandbox import Limits, SandboxedExtractor
from tests.engine.test_office_formats import LIMIT, docs, problems, reason  # noqa: F401  (docs: the same fixture)
from tests.engine.test_office_formats import indexed as index
from tests.outlook import BODY, HTML, outlook_message, received, with_rtf, without

SENT = datetime.datetime(2024, 3, 5, 9, 30, tzinfo=datetime.timezone.utc)
TOMAS = ("tomas@example.org", "Tomas Berg")
INES = ("ines@example.org", "Ines Duarte")
HTML_BODY = ("<h1>Harbour dues</h1><p>The harbour master raised the mooring fee to 40 &amp; 45 crowns.</p>"
             "<p>Pay at the <b>chandlery</b> by Friday.</p>")

# An HTML body whose RTF is longer than the RTF a test puts in its place (tests.outlook.with_rtf)
LONG_HTML = "".join(f"<p>Tide table {i}: high water at {i % 24}:{i * 7 % 60:02d}</p>" for i in range(200))


def lease() -> bytes:
    return outlook_message(
        "Lease of the boathouse", text="The boathouse lease runs until October.\r\n\r\nThe rent is paid monthly.",
        sender=TOMAS, to=(INES,), cc=(("notary@example.org", "Hald, Notary"),), sent=SENT,
        attachments=(("lease-2024.pdf", b"%PDF-1.4 secret clause", "application/pdf"),
                     ("site plan.png", b"\x89PNG\r\n", None)))


def test_an_outlook_message_is_rendered_as_an_eml_is(tmp_path: Path) -> None:
    path = tmp_path / "lease.msg"
    path.write_bytes(lease())
    doc = extract(path, LIMIT)
    assert doc.kind == "msg" and doc.title == "Lease of the boathouse"
    assert doc.text.startswith(
        "Subject: Lease of the boathouse\nFrom: Tomas Berg <tomas@example.org>\n"
        "To: Ines Duarte <ines@example.org>\nCc: \"Hald, Notary\" <notary@example.org>\n"
        "Date: Tue, 05 Mar 2024 09:30:00 +0000\n\nThe boathouse lease runs until October.\n\nThe rent is paid monthly.")
    assert doc.text.endswith("Attachments: lease-2024.pdf, site plan.png")
    assert "secret clause" not in doc.text, "attachments are named, not opened"


def test_an_html_only_message_is_read_as_a_web_page(tmp_path: Path) -> None:
    path = tmp_path / "dues.msg"
    path.write_bytes(without(outlook_message("Harbour dues", html=HTML_BODY, sender=TOMAS, sent=SENT), BODY))
    doc = extract(path, LIMIT)
    assert "The harbour master raised the mooring fee to 40 & 45 crowns.\n\nPay at the chandlery by Friday." \
        in doc.text
    assert "<p>" not in doc.text and "&amp;" not in doc.text


def test_an_rtf_only_message_is_read_through_the_rtf_reader(tmp_path: Path) -> None:
    """Outlook keeps HTML mail as RTF wrapping the HTML (\\fromhtml1); some copies keep nothing else."""
    path = tmp_path / "dues.msg"
    path.write_bytes(without(outlook_message("Harbour dues", html=HTML_BODY, sender=TOMAS, sent=SENT), BODY, HTML))
    doc = extract(path, LIMIT)
    assert "The harbour master raised the mooring fee to 40 & 45 crowns." in doc.text
    assert "Pay at the chandlery by Friday." in doc.text
    assert "htmltag" not in doc.text and "<p>" not in doc.text


# As Outlook wraps HTML in RTF (MS-OXRTFEX): tags in \*\htmltag groups, an RTF-only rendering between
# \htmlrtf and \htmlrtf0 (a bold line for a heading, a comma the HTML writes as an entity), \*\mhtmltag
# copies of tags.
OUTLOOK_WRAPPED = (
    rb"{\rtf1\ansi\ansicpg1252\fromhtml1 \deff0{\fonttbl{\f0\fswiss Arial;}{\f1\fmodern Courier New;}}"
    rb"{\colortbl\red0\green0\blue0;}\uc1\pard\plain\deftab360 \f0\fs24 "
    b"\r\n"
    rb"{\*\htmltag19 <html>}{\*\htmltag34 <head>}{\*\htmltag177 <style>}{\*\htmltag241 p \{margin:0\}}"
    rb"{\*\htmltag185 </style>}{\*\htmltag41 </head>}{\*\htmltag50 <body>}\htmlrtf {\htmlrtf0 "
    b"\r\n"
    rb"{\*\htmltag64 <h2>}\htmlrtf {\b\htmlrtf0 Pilotage\htmlrtf\par}\htmlrtf0 {\*\htmltag72 </h2>}"
    b"\r\n"
    rb"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 The pilot boards at Skagen\htmlrtf \'2c\htmlrtf0 {\*\htmltag84 &#44;}"
    rb" not at the caf\'e9.\htmlrtf\par\htmlrtf0 {\*\htmltag72 </p>}"
    b"\r\n"
    rb"{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 Tides \u8212? see table{\*\htmltag84 &nbsp;}\htmlrtf  \htmlrtf0 "
    rb"{\*\mhtmltag84 <img src=\"cid:image001.png\">}{\*\htmltag84 <img src=\"image001.png\">}"
    rb"\htmlrtf \par}\htmlrtf0 {\*\htmltag72 </p>}"
    b"\r\n"
    rb"{\*\htmltag58 </body>}{\*\htmltag27 </html>}}"
)


@pytest.mark.slow
def test_outlook_wrapped_html_is_unwrapped_and_read_as_html(tmp_path: Path) -> None:
    written = outlook_message("Pilotage", html=LONG_HTML, sender=TOMAS, sent=SENT)
    path = tmp_path / "pilot.msg"
    path.write_bytes(without(with_rtf(written, OUTLOOK_WRAPPED), BODY, HTML))
    doc = extract(path, LIMIT)
    assert doc.text.endswith("Pilotage\n\nThe pilot boards at Skagen, not at the café.\n\nTides — see table")
    assert [h.text for h in doc.headings] == ["Pilotage"], "read as its HTML is, headings and all"
    assert "margin" not in doc.text, "the style sheet is not text"


@pytest.mark.slow
def test_a_message_in_outlook_rich_text_is_read_through_the_rtf_reader(tmp_path: Path) -> None:
    rich = (rb"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Calibri;}}\pard\f0 The caf\'e9 on the quay "
            rb"opens at six.\par Bring the \b signed\b0  charter \u8212? both copies.\par}")
    written = outlook_message("Charter", html=LONG_HTML, sender=TOMAS, sent=SENT)
    path = tmp_path / "charter.msg"
    path.write_bytes(without(with_rtf(written, rich), BODY, HTML))
    doc = extract(path, LIMIT)
    assert doc.text.endswith("The café on the quay opens at six.\n\nBring the signed charter — both copies.")


def test_a_unicode_subject_body_and_attachment_name_keep_their_letters(tmp_path: Path) -> None:
    path = tmp_path / "fromage.msg"
    path.write_bytes(outlook_message(
        "Réunion über Käse — 会議", text="Bonjour Zoë,\n\nLe fromage coûte 12 €. Встреча в пятницу.",
        sender=("zoe@example.org", "Zoë Müller"), to=(("eve@example.org", "Ève"),), sent=SENT,
        attachments=(("facture-été.pdf", b"%PDF-1.4", None),)))
    doc = extract(path, LIMIT)
    assert doc.title == "Réunion über Käse — 会議"
    assert "From: Zoë Müller <zoe@example.org>\nTo: Ève <eve@example.org>" in doc.text
    assert "Le fromage coûte 12 €. Встреча в пятницу." in doc.text
    assert "Attachments: facture-été.pdf" in doc.text


def test_a_received_message_is_shown_with_the_headers_it_arrived_with(tmp_path: Path) -> None:
    """As the same mail saved as .eml: encoded words decoded; Outlook's own properties give what they lack."""
    headers = ("Received: from mx.example.org by mail.example.org; Tue, 05 Mar 2024 09:31:02 +0000\r\n"
               "Subject: =?utf-8?q?R=C3=A9union_=C3=BCber_K=C3=A4se?=\r\n"
               "From: =?utf-8?q?Zo=C3=AB_M=C3=BCller?= <zoe@example.org>\r\n"
               "Date: Tue, 05 Mar 2024 10:30:00 +0100\r\n\r\n")
    path = tmp_path / "fromage.msg"
    written = outlook_message(headers, text="Le fromage coûte 12 €.", sender=("zoe@example.org", "Zoe"),
                              to=(INES,))  # Outlook's sender without the accent
    path.write_bytes(received(written))
    doc = extract(path, LIMIT)
    assert doc.title == "Réunion über Käse"
    assert doc.text.startswith("Subject: Réunion über Käse\nFrom: Zoë Müller <zoe@example.org>\n"
                               "To: Ines Duarte <ines@example.org>\nDate: Tue, 05 Mar 2024 10:30:00 +0100\n\n")


def test_a_draft_without_sender_or_date_gives_what_it_has(tmp_path: Path) -> None:
    path = tmp_path / "draft.msg"
    path.write_bytes(outlook_message("", text="Remember the ferry tickets.", to=(INES,)))
    doc = extract(path, LIMIT)
    assert doc.title is None
    assert doc.text == "To: Ines Duarte <ines@example.org>\n\nRemember the ferry tickets."


def test_files_that_are_not_readable_messages_give_a_reason(tmp_path: Path) -> None:
    text = tmp_path / "note.msg"
    text.write_bytes(b"Confidential: a plain text note named .msg\n")
    assert reason(text).startswith("not an Outlook message") and "Confidential" not in reason(text)
    cut = tmp_path / "cut.msg"
    cut.write_bytes(lease()[:3000])
    assert reason(cut).startswith("damaged Outlook message")
    scrambled = bytearray(lease())
    scrambled[512:1536] = bytes(1024)  # the first sectors (the allocation table) wiped
    (tmp_path / "scrambled.msg").write_bytes(bytes(scrambled))
    assert reason(tmp_path / "scrambled.msg").startswith("damaged Outlook message")
    # an OLE file, but of something else (as an old .doc is): no message property table, renamed in place
    table, renamed = ("__properties_version1.0".encode("utf-16-le"), "__properties_version9.9".encode("utf-16-le"))
    (tmp_path / "other.msg").write_bytes(lease().replace(table, renamed))
    assert reason(tmp_path / "other.msg").startswith("not an Outlook message")


@pytest.mark.parametrize(("name", "mime_type", "start"), [
    ("smime.p7m", "application/pkcs7-mime", "encrypted Outlook message (S/MIME)"),
    ("message.rpmsg", "application/x-microsoft-rpmsg-message", "rights-protected Outlook message (IRM)"),
])
def test_encrypted_and_rights_protected_messages_are_named_as_such(
        tmp_path: Path, name: str, mime_type: str, start: str) -> None:
    """Outlook saves such a message's body only as an encrypted attachment; the subject is left in clear."""
    path = tmp_path / "sealed.msg"
    sealed = b"0\x82\x05\x1e\x06\t*\x86H\x86\xf7" + bytes(64)  # the start of a PKCS #7 structure
    path.write_bytes(outlook_message("Salary review", sender=TOMAS, to=(INES,), sent=SENT,
                                     attachments=((name, sealed, mime_type),)))
    assert reason(path).startswith(start)


def signed_mime() -> bytes:
    """The clear-signed MIME message Outlook keeps whole, as the attachment smime.p7m, of a signed mail."""
    signed = EmailMessage()
    signed["Subject"] = "Discharge summary"
    signed.set_content("Discharge summary: the patient may resume light walking after ten days.")
    signed.make_mixed()
    signed.add_attachment(b"0\x82\x05\x1e", maintype="application", subtype="pkcs7-signature", filename="smime.p7s")
    signed.replace_header("Content-Type", 'multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256')
    return signed.as_bytes()


def test_a_signed_message_is_read_from_its_signed_copy(tmp_path: Path) -> None:
    path = tmp_path / "signed.msg"
    path.write_bytes(outlook_message("Discharge summary", sender=TOMAS, to=(INES,), sent=SENT,
                                     attachments=(("smime.p7m", signed_mime(), "multipart/signed"),)))
    doc = extract(path, LIMIT)
    assert "Discharge summary: the patient may resume light walking after ten days." in doc.text
    assert "From: Tomas Berg <tomas@example.org>" in doc.text


# --- Through the index, and through the real reader process -------------------------------------


def test_a_folder_of_messages_is_searchable_and_a_broken_one_is_a_problem(tmp_path: Path, docs: Path) -> None:
    (docs / "lease.msg").write_bytes(lease())
    (docs / "dues.msg").write_bytes(without(outlook_message("Harbour dues", html=HTML_BODY, sender=TOMAS), BODY))
    (docs / "broken.msg").write_bytes(lease()[:3000])
    (docs / "after.txt").write_text("An ordinary note about the village fair.")
    with index(tmp_path) as cairn:
        found = problems(cairn)
        assert found.pop("broken.msg") == "damaged Outlook message: it cannot be read"
        # the lease's attachments are placeholder bytes, not real files: each is a problem of its own (issue #25)
        assert set(found) == ATTACHMENTS
        [hit] = cairn.search("boathouse rent monthly", mode="keyword")
        assert (Path(hit.path).name, hit.title) == ("lease.msg", "Lease of the boathouse")
        assert [Path(r.path).name for r in cairn.search("Hald notary", mode="keyword")] == ["lease.msg"], \
            "found by who it was sent to"
        assert [Path(r.path).name for r in cairn.search("mooring fee chandlery", mode="keyword")] == ["dues.msg"]
        assert [Path(r.path).name for r in cairn.search("lease-2024.pdf", mode="keyword")] == ["lease.msg"]
        assert [Path(r.path).name for r in cairn.search("village fair", mode="keyword")] == ["after.txt"]


ATTACHMENTS = {"lease-2024.pdf", "site plan.png"}  # lease()'s, as the index names them


def test_messages_through_the_sandboxed_reader(tmp_path: Path, docs: Path) -> None:
    (docs / "lease.msg").write_bytes(lease())
    (docs / "note.msg").write_bytes(b"Just some private text.\n")
    extractor = SandboxedExtractor(Limits(seconds=20.0, memory_mb=1024))
    try:
        with index(tmp_path, extractor) as cairn:
            why = problems(cairn)
            assert set(why) == {"note.msg", *ATTACHMENTS} and why["note.msg"].startswith("not an Outlook message")
            [hit] = cairn.search("notary", mode="keyword")
            assert Path(hit.path).name == "lease.msg"
    finally:
        extractor.close()
