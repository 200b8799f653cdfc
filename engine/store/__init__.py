"""The index database: one SQLite file (APSW, optionally encrypted) with sqlite-vec and FTS5.

Owns opening and encrypting it (`connection`), changing its key (`rekey`), the schema's
migrations, the passphrase sources, and every query (`database.Store`); nothing else
in Cairn speaks SQL.
"""

from engine.store.connection import connect, is_encrypted
from engine.store.database import Store
from engine.store.fts import keyword_context
from engine.store.records import ChunkHit, FileOutcome, FileRow, FolderRow, NewChunk
from engine.store.rekey import discard_rekey_leftovers, rekey
from engine.store.sql import store_wide

__all__ = ["ChunkHit", "FileOutcome", "FileRow", "FolderRow", "NewChunk", "Store", "connect",
           "discard_rekey_leftovers", "is_encrypted", "keyword_context", "rekey", "store_wide"]
