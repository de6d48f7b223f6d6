"""Candidate generation widened in session 9 on what real reporting does (examples in our own words)."""

from __future__ import annotations

from datetime import date

from ssbrace.extract.candidates import Candidate
from ssbrace.extract.pipeline import extractor_for

PUB = date(2025, 6, 2)


def _cands(text: str) -> list[Candidate]:
    return extractor_for().candidates(text, published=PUB, doc="s9.txt")


def _pairs(text: str) -> dict[frozenset[str], Candidate]:
    found: dict[frozenset[str], Candidate] = {}
    for c in _cands(text):  # the first reading of each pair: the sentence's own, before cross-sentence ones
        if c.claim.kind == "partnership":
            found.setdefault(frozenset((c.claim.subject, c.claim.object or "")), c)
    return found


def test_a_month_opening_a_sentence_is_no_party() -> None:
    pairs = _pairs("Ilika raised money. In March, the firm closed a round led by Ford and BMW.")
    assert not [key for key in pairs if "March" in key]
    assert frozenset(("Ilika", "Ford")) in pairs


def test_a_referring_phrase_stands_where_it_is_written_for_the_pair_features() -> None:
    pairs = _pairs("Ilika raised money. In March, the firm closed a round led by Ford and BMW.")
    feats = pairs[frozenset(("Ilika", "Ford"))].features
    assert feats.get("coref_pair_last:by") == 1.0  # "... a round led by" Ford
    assert feats.get("coref_pair_cue_between") == 1.0 or "coref_pair_gap:round" in feats


def test_every_member_of_a_long_investor_list_pairs_with_the_company() -> None:
    pairs = _pairs("Other backers of Ilika include Northgate Ventures, Bluefield Capital Partners, "
                   "Redwood Harbor Fund, Quarry Investment Group, and Tallis Ventures.")
    for investor in ("Northgate Ventures", "Bluefield Capital Partners", "Redwood Harbor Fund",
                     "Quarry Investment Group", "Tallis Ventures"):
        assert frozenset(("Ilika", investor)) in pairs, investor


def test_a_short_form_the_document_defined_reads_as_the_full_name() -> None:
    text = ("Larkspur Cells closed its round with Northgate Harbor Capital (NHC) as sole investor. "
            "NHC previously invested in Svolt Energy.")
    pairs = _pairs(text)
    assert frozenset(("Northgate Harbor Capital", "SVOLT")) in pairs
    assert not [key for key in pairs if "NHC" in key]


def test_a_first_of_its_kind_is_read_as_first_place_for_the_model() -> None:
    cands = _cands("MG put on sale the world's first mass-produced car with a semi-solid battery.")
    assert [c for c in cands if c.source == "first" and c.claim.subject == "MG" and c.claim.rank == 1]


def test_a_lead_told_of_a_referring_phrase_reaches_back_to_the_company() -> None:
    cands = _cands("Geely Auto unveiled a new pack on Monday. The move puts the company at the front of the pack.")
    second = "Geely Auto unveiled a new pack on Monday. ".__len__()
    leads = [c.claim for c in cands if c.claim.kind == "standing" and c.claim.evidence.start >= second]
    assert [(c.subject, c.relation, c.rank) for c in leads] == [("Geely", "ranks", 1)]
