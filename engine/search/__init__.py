"""Finding passages: the query parsed once, keyword (FTS5) and vector candidates, fusion,
the weak-result rule, and the snippets shown for each result."""

from engine.search.ranking import MODES, WEAK_SIMILARITY, Mode, SearchFilters, SearchResult, search

__all__ = ["MODES", "WEAK_SIMILARITY", "Mode", "SearchFilters", "SearchResult", "search"]
