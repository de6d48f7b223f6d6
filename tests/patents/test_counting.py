"""Counting a landscape: units, country rules, ranges, shares, growth, and numbers that never move."""

from __future__ import annotations

import random

import pytest

import ssbrace.patents as patents
from ssbrace.errors import DomainPackError, UsageError
from ssbrace.patents.counting import count, growth
from ssbrace.patents.records import PatentRecord
from tests.patents.conftest import GOOGLE_JSONL, LENS, PATENTSVIEW


def rows(counts):
    return {r.key: r.count for r in counts.rows}


def test_a_family_over_three_jurisdictions_counts_once():
    families = patents.count_files([LENS], "country")
    publications = patents.count_files([LENS], "country", unit="publication")
    # Toyota's family is published in JP, US and EP: one family, three publications
    assert rows(families)["Japan"] == 3 and rows(publications)["Japan"] == 6
    assert families.total == 5 and publications.total == 8
    assert patents.count_files([LENS], "country", unit="extended_family").total == 4


def test_country_rules_differ_on_a_joint_filing():
    any_applicant = rows(patents.count_files([GOOGLE_JSONL], "country"))
    first = rows(patents.count_files([GOOGLE_JSONL], "country", country_by="first_applicant"))
    office = rows(patents.count_files([GOOGLE_JSONL], "country", country_by="priority_office"))
    inventor = rows(patents.count_files([GOOGLE_JSONL], "country", country_by="inventor"))
    # Samsung SDI (KR) with Toyota (JP): Japan gets it under "any applicant" only
    assert any_applicant == {"Japan": 2, "South Korea": 1, "China": 1}
    assert first == office == {"Japan": 1, "South Korea": 1, "China": 1}
    assert inventor == {"Japan": 1, "South Korea": 1, "United States": 1, "China": 1}


def test_shares_may_pass_100_percent_under_any_applicant():
    counts = patents.count_files([GOOGLE_JSONL], "country")
    assert counts.total == 3
    assert sum(r.share for r in counts.rows) == pytest.approx(4 / 3)
    assert sum(r.share for r in patents.count_files([GOOGLE_JSONL], "country",
                                                    country_by="first_applicant").rows) == pytest.approx(1)


def test_names_only_exports_take_countries_from_the_gazetteer():
    counts = rows(patents.count_files([LENS], "country"))
    assert counts["China"] == 1 and counts["United States"] == 1  # CATL and QuantumScape by name
    assert "(unknown)" not in counts


def test_range_undated_and_keywords():
    counts = patents.count_files([LENS], "year")
    assert rows(counts) == {"2019": 2, "2020": 1, "2021": 1, "2022": 1}  # the 1998 filing is out of range
    assert counts.undated == 1 and counts.admitted == 10 and counts.read == 11  # the liquid electrolyte is out
    assert patents.count_files([LENS], "year", year_from=1990).total == 6
    narrow = patents.count_files([LENS], "year", year_from=2020, year_to=2021)
    assert rows(narrow) == {"2020": 1, "2021": 1}


def test_applicants_and_growth():
    top = patents.count_files([LENS, GOOGLE_JSONL], "applicant")
    assert top.rows[0].key == "TOYOTA MOTOR CORP"
    g = growth(patents.count_files([LENS], "year"))
    assert g is not None and (g.first_year, g.last_year, g.first, g.last) == (2019, 2022, 2, 1)
    assert g.cagr == pytest.approx((1 / 2) ** (1 / 3) - 1)
    assert g.yearly[1] == (2020, 1, pytest.approx(-0.5))


def test_patentsview_counts_by_publication_date():
    counts = patents.count_files(PATENTSVIEW, "country", date_field="publication")
    assert rows(counts) == {"Japan": 2, "South Korea": 1, "United States": 1} and counts.total == 3
    # PatentsView gives no priority date: under the default definition nothing is dated
    assert patents.count_files(PATENTSVIEW, "country").undated == 3


def test_same_export_same_numbers_in_any_row_order():
    records = []
    for _name, stream in patents.read_files([LENS, GOOGLE_JSONL], patents.definition()):
        records.extend(stream)
    chosen = patents.definition(country_by="first_applicant")
    first = count(records, chosen, "country")
    for seed in range(5):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        assert count(shuffled, chosen, "country").rows == first.rows


def test_earliest_member_decides_first_applicant_whatever_the_order():
    old = PatentRecord("B", priority_date="2019-01-01", simple_family="F", applicants=("X",), applicant_countries=("JP",),
                       codes=("H01M10/0562",))
    new = PatentRecord("A", priority_date="2020-01-01", simple_family="F", applicants=("Y",), applicant_countries=("KR",),
                       codes=("H01M10/0562",))
    chosen = patents.definition(country_by="first_applicant")
    assert rows(count([old, new], chosen)) == rows(count([new, old], chosen)) == {"Japan": 1}
    assert rows(count([new, old], chosen, "year")) == {"2019": 1}


def test_definition_hash_is_stable_and_follows_choices():
    base = patents.definition()
    assert base.hash == patents.definition().hash and len(base.hash) == 16
    assert patents.definition(unit="publication").hash != base.hash
    assert patents.definition(country_by="applicant").hash == base.hash  # the pack's own choice
    assert patents.count_files([LENS]).definition == base.hash


def test_bad_choices_are_usage_errors():
    with pytest.raises(UsageError, match="after year_to"):
        patents.definition(year_from=2020, year_to=2010)
    with pytest.raises(UsageError, match="unit"):
        patents.definition(unit="patent")
    with pytest.raises(UsageError, match="--by"):
        patents.count_files([LENS], "inventor")


def test_pack_landscape_validates(tmp_path):
    import shutil

    from ssbrace.domains.loader import PACKS, load_domain

    pack = tmp_path / "pack"
    shutil.copytree(PACKS / "solid_state_batteries", pack)
    text = (pack / "patents.yaml").read_text(encoding="utf-8")
    (pack / "patents.yaml").write_text(text.replace("country_by:", "countryby:"), encoding="utf-8")
    with pytest.raises(DomainPackError, match="patents.yaml: unknown key 'countryby'"):
        load_domain(str(pack))
    official = load_domain().patents
    assert official is not None and {c.code for c in official.codes} >= {"H01M10/0562", "H01M10/0565"}
