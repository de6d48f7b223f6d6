"""Part 7: loading reference claims: one document per source URL, exact offsets, idempotent."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ssbrace.domains.loader import load_domain
from ssbrace.errors import InputError
from ssbrace.kb.queries import claim_records
from ssbrace.kb.tables import Claim, Document
from ssbrace.pipeline import load_reference
from ssbrace.sources.reference import read_reference


def test_load_reference_builds_documents_with_exact_evidence(store, mini_pack):
    pack = load_domain(str(mini_pack))
    assert load_reference(store, pack=pack) == 8
    with store.session() as s:
        docs = s.scalars(select(Document).order_by(Document.id)).all()
        assert [d.publisher for d in docs] == ["Cell Weekly", "Anode Times", "Grid Post"]
        assert docs[0].url == "http://cellweekly.example/acme-lead" and str(docs[0].published) == "2023-02-08"
        assert docs[0].title == "Acme <b>widens</b> its lead"
        for claim in s.scalars(select(Claim)):
            assert claim.document.text[claim.start:claim.end] == claim.sentence
            assert claim.extractor_version == "reference" and claim.subject_entity_id is not None
        assert docs[2].text.count("\n") == 3  # four notes, one per line
        records = {r.extra["ref_id"]: r for r in claim_records(s)}
        assert records["ref-0005"].extra["date_approx"] is True
        assert records["ref-0001"].subject_country == "Ruritania"


def test_rerunning_adds_nothing(store, mini_pack):
    pack = load_domain(str(mini_pack))
    load_reference(store, pack=pack)
    assert load_reference(store, pack=pack) == 0
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 8
        assert s.scalar(select(func.count()).select_from(Document)) == 3


def test_a_changed_source_replaces_its_claims(store, mini_pack, tmp_path):
    pack = load_domain(str(mini_pack))
    load_reference(store, pack=pack)
    lines = (mini_pack / "reference.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    first["note"] = "Cell Weekly's corrected table gives Acme 37% in 2022."
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
    assert load_reference(store, changed, pack) == 2  # the Cell Weekly source's two claims, rewritten
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 8
        sentences = set(s.scalars(select(Claim.sentence)))
        assert first["note"] in sentences


@pytest.mark.parametrize("bad, message", [
    ("{not json", "not JSON"),
    ('{"kind": "rumour", "subject": "X", "note": "n", "source": {"url": "http://a.example"}}', "unknown kind"),
    ('{"kind": "spec", "subject": "X", "note": "n", "source": {}}', "without a source URL"),
])
def test_a_bad_line_is_a_one_line_error_and_writes_nothing(store, mini_pack, tmp_path, bad, message):
    pack = load_domain(str(mini_pack))
    path = tmp_path / "bad.jsonl"
    path.write_text((mini_pack / "reference.jsonl").read_text() + bad + "\n")
    with pytest.raises(InputError, match=message) as info:
        load_reference(store, path, pack)
    assert "line 9" in str(info.value) or "bad.jsonl" in str(info.value)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Claim)) == 0


def test_the_bundled_reference_file_has_one_document_per_url():
    pack = load_domain()
    sources = read_reference(pack.path / "reference.jsonl")
    lines = [json.loads(line) for line in (pack.path / "reference.jsonl").read_text().splitlines() if line.strip()]
    assert len(sources) == len({r["source"]["url"] for r in lines})
    assert sum(len(s.claims) for s in sources) == len(lines)
