"""A hit in a presentation names its slide in the results list, as a PDF's names its page."""

from __future__ import annotations

from desktop.results import describe
from engine.search import SearchResult


def result(path: str, page: int | None) -> SearchResult:
    return SearchResult(path=path, score=0.5, text="Budget by quarter", page=page, start=0, end=17, heading=None,
                        title=None, snippet="Budget by quarter", highlights=(), chunk_id=1, file_id=1)


def test_a_result_names_the_slide_of_a_presentation_and_the_page_of_a_pdf() -> None:
    assert describe(result("/archive/pitch.pptx", 2)).startswith("pitch.pptx, slide 2, in ")
    assert describe(result("/archive/report.pdf", 2)).startswith("report.pdf, page 2, in ")
    assert describe(result("/archive/notes.txt", None)).startswith("notes.txt, in ")
