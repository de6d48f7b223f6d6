"""Storing documents and claims directly, so story tests do not depend on ingestion or extraction."""

from __future__ import annotations

from datetime import date
from typing import Any

from ssbrace.documents.dedup import sha256_of
from ssbrace.kb import documents_repo, stories_repo
from ssbrace.kb.tables import Claim
from ssbrace.pipeline import assign_document, assign_pending, rebuild_stories
from ssbrace.stories.cluster import DEFAULT_CONFIG
from ssbrace.stories.evaluate import LabelledArticle


def store_plain_document(session, location: str, text: str, **fields) -> int:
    """Store a text as given, without ingestion's extraction; returns its id."""
    document = documents_repo.insert_document(session, location=location, text=text, sha256=sha256_of(text),
                                              minhash=None, word_count=len(text.split()), **fields)
    return document.id


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
        return store_plain_document(
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


def cluster_labelled_set(
    store: Any,
    articles: list[LabelledArticle],
    *,
    config: Any = None,
    domain: str | None = None,
    rebuild: bool = False,
    batch: bool = False,
) -> dict[str, int]:
    """Store the articles in order of date and group them as the pipeline would; name -> story id.

    Near duplicates point at their original, as ingestion would have recorded them. With
    ``rebuild`` the stories are made by one ``rebuild_stories`` pass instead of one call per arrival, with
    ``batch`` by one ``assign_pending`` over the new documents (what ingestion does after a batch).
    """
    config = config or DEFAULT_CONFIG
    ordered = sorted(articles, key=lambda a: (a.published or date.max, a.name))
    ids: dict[str, int] = {}
    # originals first, so a near duplicate can point at a stored document
    for article in sorted(ordered, key=lambda a: a.near_duplicate_of is not None):
        with store.session() as session:
            ids[article.name] = store_plain_document(
                session,
                location=f"labelled/{article.name}",
                text=article.text,
                title=article.title,
                publisher=article.publisher,
                published=article.published,
                duplicate_of=ids.get(article.near_duplicate_of) if article.near_duplicate_of else None,
            )
    with store.session() as session:
        if rebuild:
            rebuild_stories(session, config=config, domain=domain)
        elif batch:
            assign_pending(session, config=config, domain=domain)
        else:
            for article in ordered:
                assign_document(session, ids[article.name], config=config, domain=domain)
        return {name: stories_repo.story_of_document(session, doc_id) or 0 for name, doc_id in ids.items()}
