"""Languages of the text: which one a passage is in, and how keyword search reads its words.

`identify` names a passage's language; `analysis` turns words into the terms keyword search
matches (folded, stemmed by the language's Snowball rules, Chinese and Japanese cut into
character pairs); `tokenizer` gives SQLite's FTS5 the same analysis, so the index and the
query agree.
"""

from engine.language.analysis import analyse, stemmed, stop_words
from engine.language.identify import identify, identify_query

__all__ = ["analyse", "identify", "identify_query", "stemmed", "stop_words"]
