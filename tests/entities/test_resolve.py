"""Part 1: entity resolution: gazetteer first, then fuzzy, then new entities; merges by hand."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ssbrace.domains.loader import load_domain
from ssbrace.entities.resolve import (
    Resolver,
    display_name,
    link_document_claims,
    merge_entities,
    normalise,
    seed_gazetteer,
    unmerge_entity,
)
from ssbrace.errors import InputError
from ssbrace.kb.queries import entity_rows
from ssbrace.kb.tables import Claim, Document, Entity, EntityMerge


def test_normalise_trims_corporate_suffixes_and_punctuation():
    assert normalise("Idemitsu Kosan Co., Ltd.") == "idemitsu kosan"
    assert normalise("  ACME  Cells   Corp. ") == "acme cells"
    assert normalise("Co.") == "co"  # a name is never trimmed to nothing
    assert display_name("Borealis Chemicals Inc.") == "Borealis Chemicals"


def test_seeding_is_idempotent(store, mini_pack):
    pack = load_domain(str(mini_pack))
    with store.session() as s:
        assert seed_gazetteer(s, pack) == 9
    with store.session() as s:
        assert seed_gazetteer(s, pack) == 0
        assert s.scalar(select(func.count()).select_from(Entity)) == 9
        acme = s.scalar(select(Entity).where(Entity.name == "Acme Cells"))
        assert acme.country == "Ruritania" and acme.type == "company" and acme.from_gazetteer


@pytest.fixture
def resolver(store, mini_pack):
    pack = load_domain(str(mini_pack))
    with store.session() as s:
        seed_gazetteer(s, pack)
        yield Resolver.load(s)


def _name(resolver, name, etype="company"):
    entity_id = resolver.resolve(name, etype)
    return resolver.names[entity_id]


def test_gazetteer_names_and_aliases_first(resolver):
    assert _name(resolver, "Acme Cells Corporation") == "Acme Cells"
    assert _name(resolver, "acme battery") == "Acme Cells"
    assert _name(resolver, "Kingdom of Ruritania", "country") == "Ruritania"
    assert _name(resolver, "Idemitsu Kosan Co.") == "Idemitsu Kosan"  # suffix trimmed, then exact
    assert resolver.created == 0


def test_fuzzy_variants_link_and_are_remembered(resolver):
    assert _name(resolver, "Idemitsu") == "Idemitsu Kosan"  # a shortened name
    assert _name(resolver, "Quantumscap") == "QuantumScape"  # a typo
    assert "idemitsu" in resolver.by_key and "quantumscap" in resolver.by_key
    assert resolver.created == 0


def test_ambiguous_short_names_and_strangers_become_new_entities(resolver):
    zenith = _name(resolver, "Zenith")  # Zenith Energy or Zenith Motors: a person must decide
    assert zenith == "Zenith"
    assert _name(resolver, "Borealis Chemicals Inc.") == "Borealis Chemicals"
    assert _name(resolver, "Borealis Chemical") == "Borealis Chemicals"  # a later variant merges in
    assert _name(resolver, "BOREALIS CHEMICALS, LTD.") == "Borealis Chemicals"
    assert resolver.created == 2


def _document_with_claims(session, names):
    doc = Document(location="mem:1", text="x", sha256="0" * 64)
    session.add(doc)
    session.flush()
    for subject, obj in names:
        session.add(Claim(document_id=doc.id, kind="partnership", subject=subject, subject_type="company",
                          object=obj, sentence="x", start=0, end=1, extractor_version="test"))
    session.flush()
    return doc.id


def test_link_document_claims_links_subject_and_object(store, mini_pack):
    pack = load_domain(str(mini_pack))
    with store.session() as s:
        doc_id = _document_with_claims(s, [("Acme Battery", "Borealis Chemicals Inc."), ("Idemitsu", None)])
        assert link_document_claims(s, doc_id, pack) == 2
        claims = s.scalars(select(Claim).order_by(Claim.id)).all()
        names = {e.id: e.name for e in s.scalars(select(Entity))}
        assert names[claims[0].subject_entity_id] == "Acme Cells"
        assert names[claims[0].object_entity_id] == "Borealis Chemicals"
        assert names[claims[1].subject_entity_id] == "Idemitsu Kosan"


def test_merge_moves_claims_and_aliases_and_survives_reseeding(store, mini_pack):
    pack = load_domain(str(mini_pack))
    with store.session() as s:
        doc_id = _document_with_claims(s, [("Zenith", "Zenith Motors")])
        link_document_claims(s, doc_id, pack)
    with store.session() as s:
        kept = merge_entities(s, "Zenith Energy", "Zenith")
        assert kept.name == "Zenith Energy"
    with store.session() as s:
        rows = {r.name: r for r in entity_rows(s)}
        assert "Zenith" not in rows
        assert rows["Zenith Energy"].claim_count == 1 and "Zenith" in rows["Zenith Energy"].aliases
        assert s.scalar(select(EntityMerge.dropped_name)) == "Zenith"
        merge_entities(s, "Zenith Energy", "Zenith Motors")
    with store.session() as s:
        seed_gazetteer(s, pack)  # the gazetteer name merged away does not come back
        assert s.scalar(select(Entity).where(Entity.name == "Zenith Motors")) is None
        assert {r.name: r.claim_count for r in entity_rows(s)}["Zenith Energy"] == 2


def test_merge_errors_are_one_line_input_errors(store, mini_pack):
    pack = load_domain(str(mini_pack))
    with store.session() as s:
        seed_gazetteer(s, pack)
        with pytest.raises(InputError, match="no entity named"):
            merge_entities(s, "Acme Cells", "Nobody Ltd")
        with pytest.raises(InputError, match="already the same entity"):
            merge_entities(s, "Acme Cells", "Acme Battery")


def test_a_country_is_not_merged_into_a_company_unless_forced(store, mini_pack):
    """`entities merge Toyota Japan` once merged a country into a company with no check (issue 14)."""
    pack = load_domain(str(mini_pack))
    with store.session() as s:
        seed_gazetteer(s, pack)
        with pytest.raises(InputError, match="is a company and 'Ruritania' a country") as caught:
            merge_entities(s, "Acme Cells", "Ruritania")
        assert "\n" not in str(caught.value)
        assert s.scalar(select(Entity).where(Entity.name == "Ruritania")) is not None
        merge_entities(s, "Acme Cells", "Ruritania", force=True)
        assert s.scalar(select(Entity).where(Entity.name == "Ruritania")) is None


def test_unmerge_puts_back_the_entity_its_aliases_and_claims(store, mini_pack):
    pack = load_domain(str(mini_pack))
    with store.session() as s:
        doc_id = _document_with_claims(s, [("Zenith", "Zenith Motors"), ("Zenith Energy", None)])
        link_document_claims(s, doc_id, pack)
    with store.session() as s:
        before = {r.name: (r.type, r.country, r.claim_count, sorted(r.aliases)) for r in entity_rows(s)}
        merge_entities(s, "Zenith Energy", "Zenith")
    with store.session() as s:
        assert "Zenith" not in {r.name for r in entity_rows(s)}
        restored = unmerge_entity(s, "zenith")
        assert restored.name == "Zenith"
    with store.session() as s:
        after = {r.name: (r.type, r.country, r.claim_count, sorted(r.aliases)) for r in entity_rows(s)}
        assert after == before  # names, types, countries, claim counts and aliases as they were
        assert s.scalar(select(func.count()).select_from(EntityMerge)) == 0
        with pytest.raises(InputError, match="no merge of 'Zenith' is logged"):
            unmerge_entity(s, "Zenith")
