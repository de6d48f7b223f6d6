"""The solid_state_batteries pack: it loads, its names are consistent, and it covers the reference data."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from ssbrace.domains.loader import load_domain
from ssbrace.errors import DomainPackError
from ssbrace.models import CLAIM_KINDS

PACK = "solid_state_batteries"
# The technology vocabulary of CLAIMS.md; a company's `technologies` must use it.
TECHNOLOGIES = {"all_solid_state", "semi_solid", "sulfide", "oxide", "polymer", "halide", "lithium_metal"}
# Reference names that are deliberately not gazetteer entries, with the reason. Keep this small.
NOT_IN_GAZETTEER: dict[str, str] = {}


@pytest.fixture(scope="module")
def pack():
    return load_domain(PACK)


@pytest.fixture(scope="module")
def gaz(pack):
    return pack.gazetteer


@pytest.fixture(scope="module")
def reference(pack) -> list[dict]:
    lines = (pack.path / "reference.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _entities(gaz):
    """Every (section, entity) pair of the gazetteer."""
    for section in ("places", "companies", "programs", "institutions"):
        for entity in getattr(gaz, section):
            yield section, entity


def _forms(entity) -> set[str]:
    """The name, aliases and demonyms of an entity, lower-cased."""
    forms = [entity.name, *entity.aliases, *getattr(entity, "demonyms", [])]
    return {f.strip().casefold() for f in forms}


def test_pack_loads_and_validates(pack, gaz):
    assert pack.name == PACK
    assert gaz.places and gaz.companies and gaz.programs and gaz.institutions
    assert {c.code for c in pack.currencies} >= {"USD", "JPY", "KRW", "CNY", "EUR"}
    assert pack.topics


def test_claims_md_canonical_places(gaz):
    by_name = {p.name: p for p in gaz.places}
    for name in ("Japan", "China", "South Korea", "United States"):
        assert by_name[name].type == "country"
    for name in ("European Union", "World", "Europe", "Asia", "North America"):
        assert by_name[name].type == "region"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Korea", "South Korea"),
        ("North Korea", "North Korea"),
        ("Republic of Korea", "South Korea"),
        ("U.S.", "United States"),
        ("US", "United States"),
        ("America", "United States"),
        ("PRC", "China"),
        ("UK", "United Kingdom"),
        ("EU", "European Union"),
        ("worldwide", "World"),
        ("Toyota Motor Corporation", "Toyota"),
        ("Toyota Motor", "Toyota"),
        ("LGES", "LG Energy Solution"),
        ("Contemporary Amperex Technology", "CATL"),
        ("Hyundai Motor", "Hyundai"),
        ("Mitsui Kinzoku", "Mitsui Mining & Smelting"),
        ("Guoxuan High-Tech", "Gotion High-Tech"),
        ("Ministry of Economy, Trade and Industry", "METI"),
        ("Ministry of Trade, Industry and Energy", "MOTIE"),
        ("Japanese", "Japan"),
        ("South Korean", "South Korea"),
    ],
)
def test_aliases_resolve_to_canonical_names(gaz, written, canonical):
    owners = {e.name for _, e in _entities(gaz) if written.casefold() in _forms(e)}
    assert owners == {canonical}


def test_no_form_names_two_entities(gaz):
    owners: dict[str, set[str]] = defaultdict(set)
    for section, entity in _entities(gaz):
        for form in _forms(entity):
            owners[form].add(f"{section}:{entity.name}")
    clashes = {form: sorted(names) for form, names in owners.items() if len(names) > 1}
    assert clashes == {}


def test_no_blank_or_duplicate_aliases(gaz):
    for _, entity in _entities(gaz):
        forms = [entity.name, *entity.aliases]
        assert all(f.strip() == f and f for f in forms), entity.name
        repeated = [f for f, n in Counter(f.casefold() for f in forms).items() if n > 1]
        assert repeated == [], entity.name


# The extractor matches aliases of three or more characters case-insensitively, so an alias must not
# read like an amount ("24M" would swallow "$24m") or like everyday words in lower case.
_AMOUNT = re.compile(r"\$?\d+(\.\d+)?\s?(k|m|mn|bn|b|x|gwh)?", re.IGNORECASE)
_PLAIN_WORDS = {"kit", "the states", "innovation fund", "benchmark", "total", "morrow", "power", "blue"}


def test_no_alias_reads_like_an_amount_or_a_plain_word(gaz):
    for _, entity in _entities(gaz):
        for form in [entity.name, *entity.aliases]:
            assert not _AMOUNT.fullmatch(form), (entity.name, form)
            assert form.casefold() not in _PLAIN_WORDS, (entity.name, form)


def test_company_coverage(gaz):
    places = {p.name: p for p in gaz.places}
    europe = set(places["Europe"].members)
    counts = Counter("Europe" if c.country in europe else c.country for c in gaz.companies)
    assert len(gaz.companies) >= 80
    for area, floor in {
        "Japan": 15,
        "China": 15,
        "South Korea": 10,
        "United States": 10,
        "Europe": 15,
        "Taiwan": 1,
    }.items():
        assert counts[area] >= floor, (area, counts[area])


def test_companies_point_at_known_places_parents_and_technologies(gaz):
    places = {p.name: p for p in gaz.places}
    companies = {c.name for c in gaz.companies}
    for c in gaz.companies:
        assert places[c.country].type == "country", c.name
        assert c.parent is None or (c.parent in companies and c.parent != c.name), c.name
        assert set(c.technologies) <= TECHNOLOGIES, c.name
    assert {c.name: c.parent for c in gaz.companies}["PowerCo"] == "Volkswagen"


def test_programs_and_institutions_point_at_known_places(gaz):
    places = {p.name for p in gaz.places}
    for entity in [*gaz.programs, *gaz.institutions]:
        assert entity.country is None or entity.country in places, entity.name


def test_regions_list_known_countries(gaz):
    places = {p.name: p for p in gaz.places}
    for p in gaz.places:
        if p.type == "region":
            assert all(places[m].type == "country" for m in p.members), p.name
        else:
            assert p.members == [], p.name
        assert p.currency is None or re.fullmatch(r"[A-Z]{3}", p.currency), p.name
    assert len(places["European Union"].members) == 27
    assert set(places["European Union"].members) < set(places["Europe"].members)


def test_reference_names_are_canonical(gaz, reference):
    sections = {
        "company": {c.name for c in gaz.companies},
        "country": {p.name for p in gaz.places if p.type == "country"},
        "region": {p.name for p in gaz.places if p.type == "region"},
        "program": {p.name for p in gaz.programs},
        "institution": {i.name for i in gaz.institutions},
    }
    everything = set().union(*sections.values())
    missing = set()
    for claim in reference:
        if claim["subject"] not in sections[claim["subject_type"]]:
            missing.add(f"{claim['subject_type']}:{claim['subject']}")
        if claim["object"] and claim["object"] not in everything:
            missing.add(f"object:{claim['object']}")
        if claim["program"] and claim["program"] not in sections["program"]:
            missing.add(f"program:{claim['program']}")
    missing -= {f"{kind}:{name}" for name in NOT_IN_GAZETTEER for kind in (*sections, "object")}
    assert missing == set()
    assert len(reference) > 300


def test_reference_and_fx_currencies_are_known(pack, reference):
    codes = {c.code for c in pack.currencies}
    assert {c["currency"] for c in reference if c["currency"]} <= codes
    assert {currency for (_, currency) in pack.fx} <= codes


def test_currencies_have_words_symbols_and_no_shared_form(pack):
    owners: dict[str, set[str]] = defaultdict(set)
    for currency in pack.currencies:
        assert re.fullmatch(r"[A-Z]{3}", currency.code)
        assert currency.words and currency.symbols, currency.code
        assert currency.code in currency.symbols, currency.code
        for form in [*currency.words, *currency.symbols]:
            owners[form.casefold()].add(currency.code)
    assert {form: codes for form, codes in owners.items() if len(codes) > 1} == {}
    by_code = {c.code: c for c in pack.currencies}
    assert "yen" in by_code["JPY"].words and "won" in by_code["KRW"].words
    assert "yuan" in by_code["CNY"].words and "US$" in by_code["USD"].symbols
    assert "NT$" in by_code["TWD"].symbols and "€" in by_code["EUR"].symbols


def test_scales_sit_beside_the_currencies(pack):
    scales = yaml.safe_load((pack.path / "currencies.yaml").read_text(encoding="utf-8"))["scales"]
    assert scales["billion"] == scales["bn"] == 1e9
    assert scales["trillion"] == 1e12 and scales["million"] == scales["mn"] == 1e6
    assert scales["crore"] == 1e7 and scales["lakh"] == 1e5
    assert all(isinstance(v, float) for v in scales.values())


def test_topics_are_well_formed(pack, gaz):
    slugs = [t.slug for t in pack.topics]
    assert len(slugs) == len(set(slugs))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)
    places = {p.name for p in gaz.places}
    names = {e.name for _, e in _entities(gaz)}
    for topic in pack.topics:
        assert topic.entities or topic.countries or topic.kinds or topic.keywords, topic.slug
        assert set(topic.countries) <= places, topic.slug
        assert set(topic.entities) <= names, topic.slug
        assert set(topic.kinds) <= set(CLAIM_KINDS), topic.slug
    covered = {k for t in pack.topics for k in t.kinds}
    assert {"patents", "patent_share", "funding", "investment", "capacity", "partnership"} <= covered
    country_topics = {c for t in pack.topics for c in t.countries}
    assert {"Japan", "China", "South Korea", "United States", "European Union"} <= country_topics


def _copy_pack(tmp_path: Path) -> Path:
    """A private copy of the pack folder that a test may break."""
    target = tmp_path / "broken_pack"
    shutil.copytree(load_domain(PACK).path, target)
    return target


def test_an_unknown_company_field_is_a_domain_pack_error(tmp_path):
    folder = _copy_pack(tmp_path)
    data = yaml.safe_load((folder / "gazetteer.yaml").read_text(encoding="utf-8"))
    data["companies"][0]["headquarters"] = "somewhere"
    (folder / "gazetteer.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DomainPackError, match="headquarters"):
        load_domain(str(folder))


def test_a_missing_gazetteer_is_a_domain_pack_error(tmp_path):
    folder = _copy_pack(tmp_path)
    (folder / "gazetteer.yaml").unlink()
    with pytest.raises(DomainPackError, match="missing"):
        load_domain(str(folder))
