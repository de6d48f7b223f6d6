"""Storing documents and claims directly, so story tests do not depend on ingestion or extraction."""

from __future__ import annotations

from datetime import date

from ssbrace.kb import stories_repo as repo
from ssbrace.kb.tables import Claim


def add_doc(
    store,
    location: str,
    text: str,
    *,
    title=None,
    publisher=None,
    published=None,
    url=None,
    duplicate_of=None,
) -> int:
    if isinstance(published, str):
        published = date.fromisoformat(published)
    with store.session() as session:
        return repo.store_plain_document(
            session,
            location,
            text,
            title=title,
            publisher=publisher,
            published=published,
            url=url,
            duplicate_of=duplicate_of,
        )


def add_claim(store, document_id: int, kind: str, subject: str, sentence: str, text: str, **fields) -> None:
    """A claim whose evidence is ``sentence`` at its offsets in ``text``."""
    start = text.index(sentence)
    with store.session() as session:
        session.add(
            Claim(
                document_id=document_id,
                kind=kind,
                subject=subject,
                subject_type=fields.pop("subject_type", "company"),
                sentence=sentence,
                start=start,
                end=start + len(sentence),
                extractor_version="test",
                **fields,
            )
        )
