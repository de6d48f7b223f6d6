"""What the distributed tests compare between two stores (outcomes, documents, claims, entities, stories), and a
worker plugin that kills a worker mid-run."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

from distributed import WorkerPlugin
from sqlalchemy import select

from ssbrace.delivery.records import to_json
from ssbrace.kb.queries import claim_records
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Document, Entity, EntityAlias, Story, StoryDocument, StoryKey

ARTICLES = Path(__file__).resolve().parents[1] / "data" / "articles"
# A few of our own articles: plain text, Markdown and HTML.
PICKED = ["001_toyota-idemitsu.txt", "003_catl-500whkg-prototypes.txt", "005_china-cny6bn-fund-digitimes.html",
          "007_korea-solid-state-budget-explainer.md", "011_ev-battery-shares-2022.html",
          "016_samsung-sdi-suwon-pilot-line.txt", "018_nissan-yokohama-pilot-line.md",
          "025_gotion-gemstone-unveiled.txt"]


def _store(url: str) -> Store:
    return Store(url)


def _items(result) -> list[dict]:  # noqa: ANN001
    return [asdict(item) for item in result.items]


def _documents(store: Store) -> list[tuple]:
    with store.session() as session:
        rows = session.execute(select(Document.id, Document.location, Document.sha256, Document.duplicate_of,
                                      Document.similarity, Document.title, Document.published, Document.language,
                                      Document.word_count, Document.content_type, Document.extractor_version,
                                      Document.text).order_by(Document.id))
        return [tuple(row) for row in rows]


def _claims(store: Store) -> list[dict]:
    """Every claim in its JSON shape; ``seen`` falls back to the time of storing, which differs run to run."""
    with store.session() as session:
        shapes = [to_json(record) for record in claim_records(session)]
    for shape in shapes:
        shape.pop("seen")
    return shapes


def _entities(store: Store) -> list[tuple]:
    """Every entity with its aliases, by id: the same ids mean they were created in the same order."""
    with store.session() as session:
        aliases: dict[int, list[str]] = {}
        for entity_id, normalised in session.execute(select(EntityAlias.entity_id, EntityAlias.normalised)
                                                      .order_by(EntityAlias.normalised)):
            aliases.setdefault(entity_id, []).append(normalised)
        return [(e.id, e.name, e.type, e.country, e.from_gazetteer, aliases.get(e.id, []))
                for e in session.scalars(select(Entity).order_by(Entity.id))]


def _stories(store: Store) -> dict[str, list[tuple]]:
    """Every story (id, headline, dates, size, version), every document's place in one (with the score
    that made it join) and the story index: all that grouping writes, but the times it was written."""
    with store.session() as session:
        return {
            "stories": [tuple(r) for r in session.execute(
                select(Story.id, Story.headline, Story.first_date, Story.last_date, Story.doc_count, Story.version)
                .order_by(Story.id))],
            "members": [tuple(r) for r in session.execute(
                select(StoryDocument.document_id, StoryDocument.story_id, StoryDocument.score)
                .order_by(StoryDocument.document_id))],
            "keys": [tuple(r) for r in session.execute(
                select(StoryKey.key, StoryKey.document_id, StoryKey.story_id, StoryKey.day)
                .order_by(StoryKey.document_id, StoryKey.key))],
        }


class KillOnce(WorkerPlugin):
    """Kills the worker process that starts the second partition of a run, once (a marker file says so)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key, start, finish, **kwargs):  # noqa: ANN001, ANN201
        if finish == "executing" and str(key).startswith("ssbrace-read-") and str(key).endswith("-2"):
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.close(fd)
            os._exit(1)
