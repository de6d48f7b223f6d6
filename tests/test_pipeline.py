"""The flow across stages: ingest -> claims -> entities -> stories, and re-extraction."""

import pytest
from sqlalchemy import func, select

from ssbrace import pipeline
from ssbrace.kb.tables import Claim, Document
from ssbrace.pipeline import load_reference, run_ingest, run_reextract
from ssbrace.settings import Settings

ARTICLE = """Toyota and Idemitsu plan solid-state batteries

Published: 2023-10-12

Toyota Motor and Idemitsu Kosan said they will work together to mass-produce all-solid-state batteries,
with Toyota aiming to put the first cars using them on sale in 2027 or 2028.
"""


def _claims(session, version):
    query = select(Claim).join(Document).where(Document.extractor_version == version)
    return session.scalars(query).all()


def test_ingest_links_claims_and_reextract_keeps_reference_claims(store, tmp_path):
    settings = Settings(db=store.url)
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert load_reference(store) > 0
    result = run_ingest(store, [str(tmp_path / "a.txt")], settings)
    assert result.counts()["new"] == 1
    with store.session() as s:
        reference_before = sorted((c.kind, c.subject, c.sentence) for c in _claims(s, "reference"))
        document = s.scalars(select(Document).where(Document.location.like("%a.txt"))).one()
        extracted = document.claims
        assert extracted and all(c.subject_entity_id is not None for c in extracted)
        version = document.extractor_version
        # Simulate claims written by an older extractor, without entity links.
        document.extractor_version = "0.0.0"
        for claim in extracted:
            claim.subject_entity_id = None

    redone = run_reextract(store, settings)
    assert redone.documents == 1 and redone.failed == 0
    with store.session() as s:
        document = s.scalars(select(Document).where(Document.location.like("%a.txt"))).one()
        assert document.extractor_version == version
        assert document.claims and all(c.subject_entity_id is not None for c in document.claims)
        reference_after = sorted((c.kind, c.subject, c.sentence) for c in _claims(s, "reference"))
        assert reference_after == reference_before
        total = s.scalar(select(func.count(Claim.id)))
    # Everything re-extracted, reference documents still untouched.
    again = run_reextract(store, settings, only_outdated=False)
    assert again.documents == 1
    with store.session() as s:
        assert s.scalar(select(func.count(Claim.id))) == total


def _outdated_documents(store, count):
    with store.session() as s:
        for i in range(count):
            text = f"Toyota aims to mass-produce all-solid-state cells by 202{i}."
            s.add(Document(location=f"test:{i}", text=text, sha256=str(i).ljust(64, "0"), word_count=8,
                           extractor_version="0.0.1"))


def test_reextract_redoes_outdated_documents_once(store):
    settings = Settings(db=store.url)
    _outdated_documents(store, 1)
    progress = []
    result = run_reextract(store, settings, progress=lambda done, total: progress.append((done, total)))
    assert result.documents == 1 and result.claims >= 1 and progress == [(1, 1)]
    assert run_reextract(store, settings).documents == 0


def test_reextract_reports_a_failed_document_and_goes_on(store, monkeypatch):
    settings = Settings(db=store.url)
    _outdated_documents(store, 3)
    real = pipeline.after_document_stored

    def failing(session, document, *args, **kwargs):
        if document.location == "test:1":
            raise ValueError("broken text")
        return real(session, document, *args, **kwargs)

    monkeypatch.setattr(pipeline, "after_document_stored", failing)
    result = run_reextract(store, settings)
    assert result.documents == 2 and result.failed == 1
    (doc_id, reason), = result.failures
    assert reason == "internal error: ValueError: broken text"
    with store.session() as s:
        assert s.get(Document, doc_id).extractor_version == "0.0.1"  # its old claims stay
    with pytest.raises(ValueError):
        run_reextract(store, settings, raise_errors=True)
