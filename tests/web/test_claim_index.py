"""Claim listings answered from the snapshot's records give what the store's query gives, filter by filter."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from datetime import UTC, date, datetime

from sqlalchemy import select

from ssbrace.kb import search as kb_search
from ssbrace.kb.search import ClaimFilter, ClaimIndex, Page, TopicRule
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document, Entity, EntityAlias
from ssbrace.models import CLAIM_KINDS
from ssbrace.settings import Settings
from ssbrace.web import views
from ssbrace.web.state import AppState
from tests.fixtures.web_server import fill_web_store


def _add(store: Store, *, published: date | None, created: datetime, claims: list[dict], title: str) -> None:
    """One document with these claims (entity ids given), written as ingestion writes them."""
    text = title + "\n\n" + " ".join(c["sentence"] for c in claims)
    with store.session() as session:
        doc = Document(location=f"test:{title}", title=title, publisher="Index Wire", published=published, text=text,
                       word_count=len(text.split()), sha256=hashlib.sha256(text.encode()).hexdigest())
        session.add(doc)
        session.flush()
        for fields in claims:
            start = text.index(fields["sentence"])
            session.add(Claim(document_id=doc.id, start=start, end=start + len(fields["sentence"]), confidence=0.8,
                              extractor_version="test", bound="eq", created_at=created, **fields))


def _entity(store: Store, name: str, etype: str = "company", alias: str | None = None) -> int:
    with store.session() as session:
        found = session.scalar(select(Entity.id).where(Entity.name == name))
        if found is not None:
            return found
        entity = Entity(name=name, type=etype, country=None, from_gazetteer=False)
        session.add(entity)
        session.flush()
        for written in {name, alias or name}:
            session.add(EntityAlias(entity_id=entity.id, alias=written, normalised=written.casefold()))
        return entity.id


def _fill(store: Store) -> None:
    """The web tests' store, plus what the index must get right: undated documents (dated by when their
    claims were stored, on both sides of a day), days shared by several documents (then newest id first),
    a claim naming one entity as subject and object, a non-ASCII name, an alias, an unlinked name."""
    fill_web_store(store)
    ember = _entity(store, "Émber Ionics", alias="Ember Ionics Ltd")
    calderon = _entity(store, "Calderon Cells")
    target = {"kind": "target", "subject": "Émber Ionics", "subject_type": "company", "subject_entity_id": ember,
              "stage": "pilot", "unit": "year"}
    for n, (published, created) in enumerate([
            (None, datetime(2024, 12, 31, 23, 59, tzinfo=UTC)), (None, datetime(2025, 1, 1, 0, 0, tzinfo=UTC)),
            (None, datetime(2025, 1, 1, 12, 0, tzinfo=UTC)), (date(2025, 1, 1), datetime(2020, 1, 1, tzinfo=UTC)),
            (date(2025, 1, 1), datetime(2020, 1, 1, tzinfo=UTC)), (date(2024, 12, 31), datetime(2026, 1, 1, tzinfo=UTC))]):
        year = 2027 + n
        _add(store, published=published, created=created, title=f"Émber Ionics report {n}", claims=[
            {**target, "year": year, "value": year, "sentence": f"Émber Ionics aims for a pilot line by {year}."},
            {"kind": "spec", "subject": "Émber Ionics", "subject_type": "company", "subject_entity_id": ember,
             "value": 400 + n, "unit": "Wh/kg", "metric": "energy_density_wh_kg",
             "sentence": f"Émber Ionics cells held {400 + n} Wh/kg."},
            {"kind": "partnership", "subject": "Émber Ionics", "subject_type": "company", "subject_entity_id": ember,
             "object": "Ember Ionics Ltd", "object_entity_id": ember if n % 2 else calderon,
             "sentence": f"Émber Ionics and its unit {n} agreed to work together."},
            {"kind": "investment", "subject": "Unlinked Batteries", "subject_type": "company", "value": 5e6,
             "unit": "USD", "sentence": f"Unlinked Batteries raised 5 million dollars, round {n}."},
        ])


def _same(found: Page, expected: Page) -> None:
    assert found.total == expected.total
    assert [c.id for c in found.items] == [c.id for c in expected.items]
    assert [asdict(c) for c in found.items] == [asdict(c) for c in expected.items]  # extra included


def _filters(state: AppState) -> list[ClaimFilter]:
    snap = state.snapshot()
    names = sorted({n for e in snap.entities for n in (e.name, *e.aliases)})
    names += ["calderon cells", "  CALDERON CELLS ", "émber ionics", "ÉMBER IONICS", "ember ionics ltd"]
    days = [None, date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 2), date(2030, 1, 1)]
    out = [ClaimFilter(), *(ClaimFilter(kind=k) for k in (*CLAIM_KINDS, "no_such_kind")),
           *(ClaimFilter(since=d) for d in days[1:])]
    out += [ClaimFilter(kind="target", since=d) for d in days]
    for name in names:
        out += [ClaimFilter(entity=name), ClaimFilter(entity=name, since=date(2025, 1, 1))]
        out += [ClaimFilter(entity=name, kind=k, since=d) for k in ("target", "partnership") for d in days[:3]]
    return out


def test_the_snapshot_lists_claims_as_the_store_does(db_url: str) -> None:
    store = Store(db_url)
    _fill(store)
    state = AppState(Settings(db=db_url), store)
    try:
        index = state.refresh().claim_index
        assert index is not None
        filters = _filters(state)
        answered = 0
        with store.session() as session:
            first_doc = session.scalar(select(Document.id).order_by(Document.id))
            for flt in filters:
                for limit, offset in ((50, 0), (3, 0), (3, 2), (2, 7), (500, 0), (10, 10_000)):
                    expected = kb_search.find_claims(session, flt, limit=limit, offset=offset)
                    found = index.find(flt, limit=limit, offset=offset)
                    if found is not None:
                        answered += 1
                        _same(found, expected)
                    _same(views.find_claims(state, flt, limit, offset), expected)  # whichever answers
            # Filters the snapshot leaves to the store.
            leftover = [ClaimFilter(entity="Unlinked Batteries"), ClaimFilter(document_id=first_doc),
                        ClaimFilter(kind="target", subject_type="company"),
                        ClaimFilter(topic=TopicRule(kinds=("target",)))]
            for flt in leftover:
                assert index.find(flt) is None
                _same(views.find_claims(state, flt, 50, 0), kb_search.find_claims(session, flt, limit=50))
            # Every claim of a document of a known entity: both paths again.
            flt = ClaimFilter(entity="Émber Ionics", document_id=first_doc)
            _same(index.find(flt) or Page([], -1, 0, 0), kb_search.find_claims(session, flt))
        assert answered >= 0.9 * len(filters) * 6  # all but a few names are the snapshot's to answer
    finally:
        state.close()


def test_the_listing_follows_the_snapshot_after_a_write(db_url: str) -> None:
    store = Store(db_url)
    _fill(store)
    state = AppState(Settings(db=db_url), store)
    try:
        flt = ClaimFilter(entity="Émber Ionics", kind="target")
        before = views.find_claims(state, flt, 50, 0, state.refresh())
        ember = _entity(store, "Émber Ionics")
        _add(store, published=date(2026, 2, 2), created=datetime(2026, 2, 2, tzinfo=UTC), title="Émber Ionics later",
             claims=[{"kind": "target", "subject": "Émber Ionics", "subject_type": "company",
                      "subject_entity_id": ember, "stage": "pilot", "unit": "year", "year": 2040, "value": 2040,
                      "sentence": "Émber Ionics now aims for a pilot line by 2040."}])
        # Until the snapshot is updated the listing is the snapshot's (the store's answer is a write ahead).
        with store.session() as session:
            assert kb_search.find_claims(session, flt).total == before.total + 1
        snap = state.refresh()
        assert state.last_update["how"] == "incremental"
        after = views.find_claims(state, flt, 50, 0, snap)
        assert after.total == before.total + 1 and after.items[0].year == 2040
        with store.session() as session:
            _same(after, kb_search.find_claims(session, flt))
    finally:
        state.close()


def test_an_index_without_every_link_leaves_entities_to_the_store() -> None:
    """A claim stored between the read of the links and of the records: no entity listing is guessed."""
    record = kb_search.ClaimRecord(id=1, kind="target", subject="A", subject_type="company")
    index = ClaimIndex([record], {}, {"a": (1,)})
    assert index.find(ClaimFilter(entity="A")) is None
    assert index.find(ClaimFilter()) == Page([record], 1, 50, 0)
