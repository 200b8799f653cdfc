"""The first bytes that say what a file is, whatever its name: kept apart from the readers so
that the dispatcher can sniff without importing any of them."""

ZIP = b"PK\x03\x04"  # Office 2007+, OpenDocument, EPUB
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003, Outlook .msg, any password-protected Office file
RTF = b"{\\rtf"
