"""Stop words: words too common in their language to say what a passage is about.

English keeps Cairn's own short list (tuned on the evaluation sets; README, Evaluation). The
other languages take the lists of the registry package `stop-words` (BSD), chosen over
`stopwordsiso`, whose German list holds content words such as "zurück".
"""

from __future__ import annotations

import functools

ENGLISH = frozenset(
    """a an and are as at be but by do does did for from had has have how i if in into is it its of on or
    that the their them then there these they this to was were what when where which who why will with
    my me we our you your about can could would should not no after before go get got all any some so
    up out just also than too very been being over again here only such both each other off once through
    during until while between because he she his her him us""".split()
)


@functools.cache
def stop_words(language: str | None) -> frozenset[str]:
    """The language's stop words, lower case and without accents ("für" as "fur"); none for an unknown one."""
    from engine.language.analysis import fold

    if language in (None, "en"):
        return ENGLISH
    import stop_words as lists

    name = lists.LANGUAGE_MAPPING.get(language)
    if name is None:
        return frozenset()
    return frozenset(fold(word) for word in lists.get_stop_words(name))
