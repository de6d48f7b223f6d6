"""Kept term counts: the weights they give are those of a TF-IDF model fitted on the texts, and the store keeps
them for the latest documents only, counted again when what they rest on changes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlalchemy import select, update

from ssbrace.kb import stories_repo
from ssbrace.kb.stories_repo import DocRecord
from ssbrace.kb.tables import Document, StoryTerms
from ssbrace.pipeline import assign_pending
from ssbrace.stories.cluster import ClusterConfig, StoryVectors
from ssbrace.stories.evaluate import read_labelled_set
from ssbrace.stories.terms import TermCounts, count_terms, document_terms, terms_digest
from tests.stories.helpers import store_plain_document

LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories"


def _labelled_docs() -> list[DocRecord]:
    return [DocRecord(id=i, location=a.name, url=None, title=a.title, publisher=a.publisher, published=a.published,
                      fetched=None, text=a.text, duplicate_of=None)
            for i, a in enumerate(read_labelled_set(LABELLED), 1)]


def test_similarities_from_kept_counts_are_those_of_a_model_fitted_on_the_texts():
    docs = _labelled_docs()
    corpus, others = docs[:40], docs[40:]
    fitted = StoryVectors.fitted(corpus)
    kept = StoryVectors.from_kept_terms(dict(zip([d.id for d in corpus], document_terms(corpus), strict=True)))
    compared = 0
    for doc in docs:
        a = fitted.similarity(doc, docs)
        b = kept.similarity(doc, docs)
        assert a.keys() == b.keys()
        assert max(abs(a[k] - b[k]) for k in a) < 1e-12
        compared += sum(1 for k in a if a[k] > 0.05 and k != doc.id)
    assert compared > 20  # texts that do read alike were compared, not only zeros
    assert others  # documents outside the corpus were weighed against its frequencies too


def test_a_term_hashes_the_same_whatever_else_is_counted_with_it():
    long_word = "x" * 200  # hashed apart from the short ones
    alone = count_terms([f"Sulfide électrolyte {long_word} plant plant"])[0]
    together = count_terms(["oxide cells", f"Sulfide électrolyte {long_word} plant plant", ""])
    assert np.array_equal(alone.terms, together[1].terms) and np.array_equal(alone.counts, together[1].counts)
    assert len(together[2].terms) == 0
    # four words and their four pairs; "plant" twice
    assert len(alone.terms) == len(set(alone.terms.tolist())) == 8
    assert sorted(alone.counts.tolist()) == [1, 1, 1, 1, 1, 1, 1, 2]
    again = TermCounts.from_bytes(alone.to_bytes())
    assert np.array_equal(again.terms, alone.terms) and np.array_equal(again.counts, alone.counts)


def _kept(store) -> dict[int, str]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return dict(session.execute(select(StoryTerms.document_id, StoryTerms.digest)).all())


def test_the_store_keeps_counts_of_the_latest_documents_and_counts_a_changed_one_again(store):
    config = ClusterConfig(background=5)
    with store.session() as session:
        for i in range(8):
            store_plain_document(session, f"test:{i}", f"Report {i} on sulfide cells and plant {i}.", title=f"R{i}")
    with store.session() as session:
        assert assign_pending(session, config=config, domain="solid_state_batteries") == 8
    kept = _kept(store)
    assert sorted(kept) == [4, 5, 6, 7, 8]  # the five latest, those the next batch weighs terms by
    with store.session() as session:
        store_plain_document(session, "test:new", "Another report on oxide cells.", title="New")
        # a kept document's title changed: what its counts rest on
        session.execute(update(Document).where(Document.id == 6).values(title="Renamed"))
    with store.session() as session:
        assert assign_pending(session, config=config, domain="solid_state_batteries") == 1
        sha = session.scalar(select(Document.sha256).where(Document.id == 6))
        counted = stories_repo.kept_terms(session, [6], terms_digest)
    kept = _kept(store)
    assert sorted(kept) == [5, 6, 7, 8, 9]
    assert kept[6] == terms_digest("Renamed", sha) == counted[6][0] and counted[6][1]
