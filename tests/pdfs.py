"""PDFs written byte by byte, for what the PDF libraries in the venv will not write themselves.

fpdf2 writes clean text with its core fonts; real files also carry what older tools
and TeX leave in them (ligature glyphs, soft hyphens) and hostile structures.
"""

from __future__ import annotations

import zlib


def raw_pdf(objects: list[bytes]) -> bytes:
    """A syntactically valid PDF from object bodies numbered 1..n (1 is the catalog)."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, compress: bool = True) -> bytes:
    body = zlib.compress(data, 9) if compress else data
    filt = b" /Filter /FlateDecode" if compress else b""
    return b"<< /Length %d%s >>\nstream\n" % (len(body), filt) + body + b"\nendstream"


def typeset_pdf(lines: list[bytes]) -> bytes:
    """One page of lines in a Type 1 font whose codes 1, 2 and 3 are the fi, fl and ffi ligature glyphs.

    As TeX and many typesetters write them: a reader maps the glyphs to U+FB01 and
    friends, and byte 0xAD (WinAnsi) is the soft hyphen a hyphenated line ends with."""
    content = b"BT /F1 11 Tf 72 720 Td 14 TL " + b"".join(b"(" + line + b") Tj T* " for line in lines) + b"ET"
    return page_pdf(content, b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /Type /Encoding "
                             b"/BaseEncoding /WinAnsiEncoding /Differences [1 /fi /fl /ffi] >> >>")


def page_pdf(content: bytes, font: bytes = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>") -> bytes:
    """One page drawing the content stream `content` with `font` as /F1."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content),
        font,
    ])


def filled_form_pdf() -> bytes:
    """A page of printed text with a filled-in text field, a ticked box and a sticky note, as viewers save them.

    What was typed lives in the field's value (/V) and the note's /Contents, not in the page's text."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [6 0 R 8 0 R] >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> /Annots [6 0 R 7 0 R 8 0 R 9 0 R] >>",
        stream(b"BT /F1 12 Tf 72 720 Td (Tenancy application form) Tj ET"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (f1_01[0]) /TU (Previous landlord) "
        b"/V (Margaret Oyelaran of Quayside Lettings) /Rect [72 600 400 620] >>",
        b"<< /Type /Annot /Subtype /Text /Contents (Ask about the boiler service record) /Rect [72 560 90 580] "
        b"/Popup 10 0 R >>",
        b"<< /Type /Annot /Subtype /Widget /FT /Btn /T (pets) /V /Yes /Rect [72 500 90 520] >>",
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /Contents (link) >>",
        b"<< /Type /Annot /Subtype /Popup /Parent 7 0 R /Contents (Ask about the boiler service record) "
        b"/Rect [100 560 300 640] >>",
    ])
