"""Reported patent figures against computed counts: the gap and the choices that could explain it."""

from __future__ import annotations

import ssbrace.patents as patents
from ssbrace.kb.records import ClaimRecord
from ssbrace.patents.gaps import compare
from tests.patents.conftest import LENS


def _records():
    out = []
    for _name, stream in patents.read_files([LENS], patents.definition()):
        out.extend(stream)
    return out


def claim(kind, subject, value, year=None, year_end=None, subject_type="country", **extra):
    return ClaimRecord(id=1, kind=kind, subject=subject, subject_type=subject_type, value=value,
                       unit="%" if kind == "patent_share" else "patents", year=year, year_end=year_end,
                       sentence=f"{subject} holds {value}", publisher="Example News", **extra)


def test_a_publication_count_is_explained_by_the_unit():
    chosen = patents.definition()
    # Japan has 3 simple families but 6 publications in 2000-2023
    [gap] = compare([claim("patents", "Japan", 6, 2000, 2023)], _records(), chosen,
                    patents.company_countries(), exports=["lens-export.csv"])
    assert gap.computed == 3 and gap.gap == 1.0
    assert any(v.unit == "publication" for v in gap.explained_by)
    assert "publications" in gap.explanation() and "2.0x" in gap.gap_text()
    assert gap.definition == chosen.hash and "lens-export.csv" in gap.computed_text()


def test_a_matching_figure_needs_no_explanation_and_a_share_is_in_percent():
    chosen = patents.definition()
    gaps = compare([claim("patents", "Japan", 3, 2000, 2023), claim("patent_share", "Japan", 60, None, 2023)],
                   _records(), chosen, patents.company_countries())
    count_gap, share_gap = (next(g for g in gaps if g.claim.kind == k) for k in ("patents", "patent_share"))
    assert count_gap.gap == 0 and count_gap.explained_by == ()
    assert share_gap.computed == 60.0 and share_gap.gap == 0


def test_a_company_is_matched_through_the_gazetteer():
    [gap] = compare([claim("patents", "Toyota", 3, 2000, 2023, subject_type="company")], _records(),
                    patents.definition(), patents.company_countries(), patents.company_names())
    assert gap.computed == 3 and gap.gap == 0


def test_a_figure_no_choice_explains_says_so():
    [gap] = compare([claim("patents", "China", 4625, 2000, 2023)], _records(), patents.definition(),
                    patents.company_countries())
    assert gap.explained_by == () and "no unit or country rule explains it" in gap.explanation()
    assert gap.as_dict()["check"] == "patent_gap" and gap.as_dict()["computed"] == 1


def test_other_claims_are_left_alone():
    assert compare([claim("funding", "Japan", 1e9)], _records(), patents.definition()) == []
