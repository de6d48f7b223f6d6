"""Computed counts stored as claims: provenance instead of a sentence, idempotent, replaced as a whole, and
set beside reported figures by `ssbrace conflicts` and the web conflicts page."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

import ssbrace.patents as patents
from ssbrace.errors import UsageError
from ssbrace.kb.claims_repo import documents_to_reextract
from ssbrace.kb.store import Store
from ssbrace.kb.tables import Claim, Document
from ssbrace.patents.computed import PUBLISHER
from ssbrace.pipeline import load_reference
from ssbrace.settings import Settings
from ssbrace.web.app import create_app
from tests.fixtures.web_server import ServerThread
from tests.patents.conftest import GOOGLE_JSONL, LENS
from tests.patents.test_patents_cli import run


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'kb.db'}")
    yield s
    s.dispose()


def _computed(store: Store) -> list[Claim]:
    with store.session() as session:
        rows = session.execute(select(Claim).join(Document, Document.id == Claim.document_id)
                               .where(Document.publisher == PUBLISHER).order_by(Claim.id)).scalars().all()
        session.expunge_all()
        return list(rows)


def _figures(claims: list[Claim]) -> dict[tuple[str, str], float | None]:
    return {(c.kind, c.subject): c.value for c in claims}


def test_computed_counts_are_claims_with_their_provenance(store):
    patents.load(store, [LENS])
    done = patents.store_claims(store)
    assert done.status == "stored" and done.definition == patents.definition().hash
    claims = _computed(store)
    figures = _figures(claims)
    # the pack's definition: simple families by any applicant's country, priority years 2000-2023
    assert figures[("patents", "Japan")] == 3 and figures[("patent_share", "Japan")] == 60.0
    assert figures[("patents", "Toyota")] == 3  # an applicant name matched to the gazetteer's company
    assert all(c.year == 2000 and c.year_end == 2023 for c in claims)
    japan = next(c for c in claims if (c.kind, c.subject) == ("patents", "Japan"))
    # the evidence is the provenance, not a sentence from the news: the export, its hash and rows, the definition
    assert japan.sentence.startswith("Computed: Japan, 3 simple families (priority years 2000-2023")
    assert "lens-export.csv (sha256 " in japan.sentence and "11 rows" in japan.sentence
    assert done.definition in japan.sentence and japan.subject_entity_id is not None
    assert japan.extra["provenance"] == "computed" and japan.extra["choices"]["unit"] == "simple_family"
    with store.session() as session:
        doc = session.get(Document, done.document_id)
        assert doc is not None and doc.publisher == PUBLISHER and doc.url is None
        assert doc.text[japan.start:japan.end] == japan.sentence
        assert "not reported by any publisher" in doc.text
        # never handed to the extractor, which would replace the counts with whatever it reads in the text
        assert done.document_id not in documents_to_reextract(session)


def test_a_computed_document_joins_no_story(store):
    from ssbrace.kb.stories_repo import story_of_document
    from ssbrace.pipeline import assign_pending, rebuild_stories

    patents.load(store, [LENS])
    done = patents.store_claims(store)
    with store.session() as session:  # a computation is not reporting: neither the pending pass nor a rebuild files it
        assign_pending(session)
        rebuild_stories(session)
        assert story_of_document(session, done.document_id) is None


def test_the_same_export_and_definition_change_nothing(store):
    patents.load(store, [LENS])
    first = patents.store_claims(store)
    ids = [c.id for c in _computed(store)]
    again = patents.store_claims(store)
    assert again.status == "unchanged" and again.document_id == first.document_id
    assert [c.id for c in _computed(store)] == ids


def test_a_new_export_or_definition_replaces_the_claims(store):
    patents.load(store, [LENS])
    first = patents.store_claims(store)
    patents.load(store, [GOOGLE_JSONL])
    second = patents.store_claims(store)
    assert second.status == "replaced" and second.document_id == first.document_id
    after = _computed(store)
    assert len(after) == second.claims  # replaced, not added to
    assert {e["name"] for e in after[0].extra["exports"]} == {"lens-export.csv", "google-publications.jsonl"}
    third = patents.store_claims(store, unit="publication")
    assert third.status == "replaced" and third.definition != second.definition
    publications = _computed(store)
    assert _figures(publications)[("patents", "Japan")] > _figures(after)[("patents", "Japan")]
    assert all("publications" in c.sentence or "publication " in c.sentence for c in publications
               if c.kind == "patents")
    with store.session() as session:  # one computed document throughout
        assert session.execute(select(func.count()).select_from(Document)
                               .where(Document.publisher == PUBLISHER)).scalar_one() == 1
    # a slot of its own for one chosen export, beside the one over all exports
    own = patents.store_claims(store, exports=[1])
    assert own.status == "stored" and own.slot == "exports 1" and own.document_id != first.document_id
    assert [c.slot for c in patents.computations(store)] == ["all exports", "exports 1"]


def test_storing_needs_loaded_exports(store):
    with pytest.raises(UsageError, match="no patent exports loaded"):
        patents.store_claims(store)
    patents.load(store, [LENS])
    with pytest.raises(UsageError, match="no loaded export 7"):
        patents.store_claims(store, exports=[7])


def test_computed_claims_are_never_taken_for_reported_figures(store):
    load_reference(store, None, None)
    patents.load(store, [LENS])
    patents.store_claims(store)
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.domains.loader import load_domain
    from ssbrace.kb.queries import StoredClaimGroups

    knowledge = Knowledge.of_grouped(StoredClaimGroups(store), load_domain("solid_state_batteries"))
    computed = [c for c in knowledge.records if c.extra.get("provenance") == "computed"]
    assert computed  # in the analysis, next to the reported claims
    gaps = patents.compare(store, knowledge.records)
    assert gaps and all(g.claim.source_name != PUBLISHER for g in gaps)
    japan = next(g for g in gaps if g.entity == "Japan" and g.claim.kind == "patents" and g.claim.year == 2000)
    # a reported figure beside the computed one: how far apart, and from which export
    assert japan.claim.value == 7000 and japan.computed == 3 and "x the computed figure" in japan.gap_text()
    assert "lens-export.csv (sha256 " in japan.computed_text()


def test_conflicts_cli_sets_reported_beside_computed(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    assert run(db, "load-reference").returncode == 0
    res = run(db, "patents", "load", str(LENS), "--claims")
    assert res.returncode == 0, res.stderr
    assert "computed claims stored: 16 claims (all exports" in res.stdout
    again = run(db, "patents", "load", str(LENS), "--claims")
    assert "computed claims unchanged" in again.stdout
    res = run(db, "patents", "count", "--unit", "publication", "--store", "--json")
    assert res.returncode == 0 and json.loads(res.stdout)["unit"] == "publication"  # stdout stays JSON
    assert "computed claims replaced" in res.stderr
    listed = json.loads(run(db, "patents", "computed", "--json").stdout)
    assert [(c["slot"], c["claims"], c["choices"]["unit"]) for c in listed] == [("all exports", 16, "publication")]
    res = run(db, "conflicts")
    assert res.returncode == 0, res.stderr
    assert "Reported patent figures vs loaded exports" in res.stdout and "reported patent figures set beside" in res.stdout
    # a computed claim on a side of a conflict is marked as such, with its provenance for evidence
    assert "[computed, not reported] Computed: Japan, 6 publications" in res.stdout
    items = json.loads(run(db, "conflicts", "--json").stdout)
    gaps = [i for i in items if i["type"] == "patent_gap"]
    assert gaps and all(g["computed"] is not None and g["gap_text"] and g["definition"] for g in gaps)
    assert any(g["entity"] == "Japan" and g["reported"] == 7000 and "x the computed" in g["gap_text"] for g in gaps)
    assert run(db, "patents", "count", "--file", str(LENS), "--store").returncode == 2


def test_web_conflicts_page_and_api_show_the_gap_and_the_provenance(tmp_path):
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    store = Store(db)
    try:
        load_reference(store, None, None)
        patents.load(store, [LENS])
        done = patents.store_claims(store)
    finally:
        store.dispose()
    app = create_app(Settings(db=db))
    try:
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            page = client.get("/conflicts")
            assert page.status_code == 200
            assert 'id="patent-gaps"' in page.text and "x the computed figure" in page.text
            assert "computed, not reported" in page.text and done.definition in page.text
            data = client.get("/api/v1/conflicts", params={"entity": "Japan"}).json()
            assert data["patent_gaps"] and {g["entity"] for g in data["patent_gaps"]} == {"Japan"}
            claims = client.get("/api/v1/claims", params={"document": done.document_id, "limit": 100}).json()["items"]
            assert len(claims) == done.claims and all(c["source"]["publisher"] == PUBLISHER for c in claims)
            japan = next(c for c in claims if (c["kind"], c["subject"]) == ("patents", "Japan"))
            assert japan["evidence"]["sentence"].startswith("Computed: Japan") and japan["source"]["url"] is None
    finally:
        app.state.ssbrace.close()


def test_computed_claims_on_postgresql(pg_url):  # type: ignore[no-untyped-def]
    store = Store(pg_url)  # migrated to every head, 0022 included
    try:
        patents.load(store, [LENS])
        assert patents.store_claims(store).status == "stored"
        assert patents.store_claims(store).status == "unchanged"
        replaced = patents.store_claims(store, country_by="first_applicant")
        assert replaced.status == "replaced" and len(_computed(store)) == replaced.claims
        counted = patents.count(store, "country", country_by="first_applicant")
        assert _figures(_computed(store))[("patents", "Japan")] == counted.get("Japan") == 2
        assert [c.choices["country_by"] for c in patents.computations(store)] == ["first_applicant"]
    finally:
        store.dispose()
