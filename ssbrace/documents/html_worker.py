"""Main-text extraction of HTML that a time budget can stop from any thread: trafilatura, in a child process
(``ssbrace.isolated``) when the alarm cannot stop it or the page is large.

Ordinary pages in the main thread stay in process: no round trip per page.
"""

from __future__ import annotations

from ssbrace import isolated

# Fields of trafilatura's result the documents stage uses.
Fields = dict[str, str | None]

# Pages longer than this (characters) go to a child even in the main thread: an alarm is only delivered
# between Python instructions, and lxml can parse a page of several megabytes in C for seconds.
# Ordinary articles (30-300 KB of HTML) stay below it.
ISOLATE_ABOVE_CHARS = 1_000_000


def main_text_fields(html: str, url: str | None) -> Fields | None:
    """trafilatura's main text and metadata of one page, as plain fields; None when it finds nothing."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if doc is None or isinstance(doc, dict):
        return None
    return {"text": doc.text, "title": doc.title, "author": doc.author, "date": doc.date,
            "sitename": doc.sitename}


def should_isolate(html: str) -> bool:
    """Whether this page needs a child process to stay within the current time budget."""
    return isolated.should_isolate(len(html), ISOLATE_ABOVE_CHARS)


def extract_isolated(html: str, url: str | None, stage: str) -> Fields | None:
    """``main_text_fields`` in a child process, within the current document's time budget.

    Raises:
        TimeBudgetExceeded: the budget ran out (the child is killed and replaced).
        InputError: trafilatura failed on the page, or the child died.
    """
    return isolated.run(main_text_fields, html, url, stage=stage, failure="cannot parse HTML",
                        preload=("trafilatura",))
