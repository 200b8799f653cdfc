"""Keeping the index in step with the folders: the scan, the index pass (read, chunk, embed,
write) and the watcher that turns file-system events into passes."""

from engine.indexing.indexer import Extractor, Indexer, IndexProgress, IndexReport

__all__ = ["Extractor", "IndexProgress", "IndexReport", "Indexer"]
