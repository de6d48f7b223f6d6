"""Removing documents and sources, disabling sources (issue 14, part 2), on SQLite and on PostgreSQL.

Everything keyed on a removed document goes in one transaction: claims (and their entity links), search
entries, near-duplicate bands, story keys and membership; stories left empty go, the others are restated;
facts read afterwards no longer rest on its claims. The articles are written for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from ssbrace import api
from ssbrace.errors import InputError
from ssbrace.kb import documents_repo
from ssbrace.kb import search as kb_search
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document, DocumentBand, Source, Story, StoryDocument, StoryKey
from ssbrace.settings import Settings

ORIGINAL = """# Samsung SDI holds on to 2027 for solid-state cells

Date: 14 March 2024

Samsung SDI told analysts on Thursday that it aims to mass-produce all-solid-state cells in 2027. The company
has run a pilot line in Cheonan since 2023 and says its sample cells reach an energy density of 900 Wh/L.
Car makers are testing the samples, according to the Korean battery maker, and more orders may follow later
in the year if the evaluations go well.

The firm did not say how many cells the line can turn out each month, nor what the cells would cost once
they leave the pilot stage. Analysts at two brokerages wrote after the call that the schedule looks tight
but credible, given that the company has kept its earlier milestones for the prismatic format and has
hired several hundred engineers for the programme since the start of last year.
"""

# The same report as a second outlet ran it: a near duplicate, placed in the original's story.
COPY = ORIGINAL.replace("holds on to", "sticks with").replace("Cheonan", "Giheung")

OTHER = """# Seoul sets money aside for next-generation batteries

Date: 2 May 2024

South Korea will spend 182 billion won on research into solid-state and lithium-metal batteries over the coming
years, the trade ministry said. Officials want domestic cell makers to keep their lead in electrolyte chemistry
while rivals in China and Japan put money into the same field.
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request, tmp_path):  # type: ignore[no-untyped-def]
    url = request.getfixturevalue("db_url") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    store = Store(url)
    yield store
    store.dispose()


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def filled(any_store, tmp_path):  # type: ignore[no-untyped-def]
    """Two sources through the real pipeline: an original and a near duplicate of it, and an unrelated article."""
    settings = Settings(db=any_store.url)
    api.ingest(any_store, [str(_write(tmp_path / "a", {"original.md": ORIGINAL}))], settings=settings)
    api.ingest(any_store, [str(_write(tmp_path / "b", {"copy.md": COPY, "other.md": OTHER}))], settings=settings)
    return any_store, settings


def _doc_id(store: Store, name: str) -> int:
    with store.session() as s:
        return int(s.scalar(select(Document.id).where(Document.location.endswith(name))))


def _count(store: Store, model: type, **where: object) -> int:
    with store.session() as s:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        return int(s.scalar(query) or 0)


def test_removing_an_original_takes_what_is_keyed_on_it_and_restates_its_story(filled):  # type: ignore[no-untyped-def]
    store, settings = filled
    original, copy = _doc_id(store, "original.md"), _doc_id(store, "copy.md")
    with store.session() as s:
        story = s.scalar(select(StoryDocument.story_id).where(StoryDocument.document_id == original))
        assert s.scalar(select(StoryDocument.story_id).where(StoryDocument.document_id == copy)) == story
        assert s.get(Document, copy).duplicate_of == original
        assert kb_search.search(s, "Cheonan").documents.total == 1
        version = s.get(Story, story).version
    claims = _count(store, Claim, document_id=original)
    assert claims > 0 and _count(store, StoryKey, document_id=original) > 0
    assert _count(store, DocumentBand, document_id=original) > 0
    facts_before = {f.key for f in api.knowledge(store).facts}

    removal = api.remove_documents(store, [str(original)], settings=settings)

    assert (removal.documents, removal.claims, removal.stories_dropped, removal.stories_restated) == (1, claims, 0, 1)
    assert _count(store, Document, id=original) == 0
    assert _count(store, Claim, document_id=original) == 0
    assert _count(store, StoryKey, document_id=original) == 0
    assert _count(store, StoryDocument, document_id=original) == 0
    with store.session() as s:
        assert kb_search.search(s, "Cheonan").documents.total == 0  # its search entry went too
        assert kb_search.search(s, "Giheung").documents.total == 1
        restated = s.get(Story, story)
        assert restated.doc_count == 1 and restated.version == version + 1
        assert restated.headline == "Samsung SDI sticks with 2027 for solid-state cells"
        # the copy founds the story now, and is an original with bands of its own
        assert s.scalar(select(StoryDocument.score).where(StoryDocument.document_id == copy)) is None
        assert s.get(Document, copy).duplicate_of is None
    assert _count(store, DocumentBand, document_id=copy) > 0
    assert all(c.document_id != original for f in api.knowledge(store).facts for c in f.claims)
    # the copy states the same figures, so the facts stay, resting on its claims alone
    assert {f.key for f in api.knowledge(store).facts} == facts_before


def test_removing_the_last_document_of_a_story_drops_the_story_and_its_facts(filled):  # type: ignore[no-untyped-def]
    store, settings = filled
    other = _doc_id(store, "other.md")
    with store.session() as s:
        story = s.scalar(select(StoryDocument.story_id).where(StoryDocument.document_id == other))
    funded = {f.key.entity for f in api.knowledge(store).facts if f.key.kind == "funding"}
    assert "South Korea" in funded
    removal = api.remove_documents(store, other, settings=settings)
    assert removal.stories_dropped == 1
    assert _count(store, Story, id=story) == 0
    funded = {f.key.entity for f in api.knowledge(store).facts if f.key.kind == "funding"}
    assert "South Korea" not in funded


def test_a_missing_reference_removes_nothing_and_a_second_removal_fails(filled):  # type: ignore[no-untyped-def]
    store, settings = filled
    other = _doc_id(store, "other.md")
    with pytest.raises(InputError, match="no document 9999"):
        api.remove_documents(store, [str(other), "9999"], settings=settings)
    assert _count(store, Document, id=other) == 1  # all or nothing
    api.remove_documents(store, [str(other)], settings=settings)
    with pytest.raises(InputError, match=f"no document {other}"):
        api.remove_documents(store, [str(other)], settings=settings)


def test_remove_source_with_its_documents_or_keeping_them(filled, tmp_path):  # type: ignore[no-untyped-def]
    store, settings = filled
    with store.session() as s:
        first, second = (src.id for src in documents_repo.list_sources(s))
    kept = api.remove_source(store, str(tmp_path / "a"), keep_documents=True, settings=settings)  # by path
    assert kept.documents == 0 and kept.source is not None and kept.source.id == first
    assert _count(store, Source, id=first) == 0 and _count(store, Document) == 3
    assert _count(store, Document, source_id=first) == 0
    removed = api.remove_source(store, second, settings=settings)  # by id: its two documents go
    assert removed.documents == 2 and removed.source is not None and removed.source.documents == 2
    assert _count(store, Document) == 1 and _count(store, Source) == 0
    with pytest.raises(InputError, match="no source"):
        api.remove_source(store, second, settings=settings)


def test_update_skips_a_disabled_source_until_it_is_enabled(any_store, tmp_path):  # type: ignore[no-untyped-def]
    settings = Settings(db=any_store.url)
    folder = _write(tmp_path / "watched", {"original.md": ORIGINAL})
    info, created = api.add_source(any_store, str(folder), settings=settings)
    assert created and info.kind == "folder"
    assert api.update(any_store, settings=settings).counts()["new"] == 1
    assert api.disable_source(any_store, info.id).disabled
    _write(folder, {"other.md": OTHER})
    skipped = api.update(any_store, settings=settings)
    assert skipped.items == [] and _count(any_store, Document) == 1
    assert not api.enable_source(any_store, str(folder)).disabled  # by path
    polled = api.update(any_store, settings=settings)
    # the file stored before is unchanged, not a duplicate of anything
    assert sorted(i.status for i in polled.items) == ["new", "unchanged"]
