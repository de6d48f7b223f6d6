"""Claims stored with their document, replaced atomically, re-extracted after an upgrade."""

from sqlalchemy import select

from ssbrace.extract.pipeline import EXTRACTOR_VERSION, extract_claims
from ssbrace.kb import claims_repo
from ssbrace.kb.tables import Document
from ssbrace.pipeline import after_document_stored

TEXT = "Toyota aims to mass-produce all-solid-state cells by 2028. CATL holds 37% of the EV battery market."


def _document(session, location="file:///a.txt", text=TEXT):
    doc = Document(location=location, text=text, sha256=location.ljust(64, "0")[:64], word_count=len(text.split()))
    session.add(doc)
    session.flush()
    return doc


def test_after_document_stored_writes_claims_and_version(store):
    with store.session() as s:
        doc = _document(s)
        n = after_document_stored(s, doc)
        assert n >= 2
    with store.session() as s:
        doc = s.execute(select(Document)).scalar_one()
        assert doc.extractor_version == EXTRACTOR_VERSION
        claims = claims_repo.list_claims(s, document_id=doc.id)
        assert {c.kind for c in claims} >= {"target", "market_share"}
        assert all(c.doc == "file:///a.txt" and c.evidence.sentence for c in claims)


def test_storing_again_replaces_and_a_failure_keeps_the_old_claims(store):
    with store.session() as s:
        doc = _document(s)
        claims_repo.store_claims(s, doc, extract_claims(TEXT), "old")
        doc_id = doc.id
    with store.session() as s:
        doc = s.get(Document, doc_id)
        claims_repo.store_claims(s, doc, extract_claims(TEXT)[:1], "new")
    with store.session() as s:
        assert claims_repo.count_claims(s, doc_id) == 1
    try:
        with store.session() as s:
            doc = s.get(Document, doc_id)
            claims_repo.store_claims(s, doc, [], "broken")
            raise RuntimeError("crash mid-transaction")
    except RuntimeError:
        pass
    with store.session() as s:
        assert claims_repo.count_claims(s, doc_id) == 1
