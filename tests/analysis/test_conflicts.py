"""Part 3: number conflicts, standings that cannot both hold, scope differences."""

from __future__ import annotations

from ssbrace.analysis.conflicts import find_conflicts, standing_conflicts
from tests.analysis.conftest import make


def _share(subject, value, publisher, doc=None, segment="automotive_batteries", year=2022, **kw):
    return make("market_share", subject, publisher=publisher, doc=doc, value=value, unit="%", year=year,
                segment=segment, **kw)


def test_numbers_beyond_tolerance_conflict_with_both_sides_shown(config):
    a = _share("Acme", 37, "Cell Weekly")
    b = _share("Acme", 36.2, "Anode Times")
    c = _share("Acme", 37.1, "Grid Post")
    [conflict] = [x for x in find_conflicts([a, b, c], config) if x.type == "number"]
    assert conflict.entity == "Acme" and conflict.period == "2022"
    assert len(conflict.sides) == 2
    by_label = {side.label: {cl.publisher for cl in side.claims} for side in conflict.sides}
    assert by_label == {"36.2%": {"Anode Times"}, "37% / 37.1%": {"Cell Weekly", "Grid Post"}}
    assert "36.2%" in conflict.summary and "Anode Times" in conflict.summary


def test_bounds_that_can_both_hold_are_no_conflict(config):
    claims = [_share("Acme", 50, "Cell Weekly", bound="gt"), _share("Acme", 55, "Anode Times")]
    assert [c for c in find_conflicts(claims, config) if c.type == "number"] == []


def test_a_scope_difference_is_not_a_conflict(config):
    car = _share("Acme", 41, "Cell Weekly", segment="automotive_batteries", year=2016)
    all_li = _share("Acme", 15, "Anode Times", segment="lithium_ion_batteries", year=2016)
    found = find_conflicts([car, all_li], config)
    assert [c.type for c in found] == ["scope"]
    assert {s.label for s in found[0].sides} == {"automotive batteries: 41%", "lithium ion batteries: 15%"}


def test_two_figures_in_one_article_are_a_scope_difference(config):
    a = make("capacity", "Acme", doc=7, value=40, unit="GWh/yr", year=2024)
    b = make("capacity", "Acme", doc=7, value=80, unit="GWh/yr", year=2024)
    [found] = find_conflicts([a, b], config)
    assert found.type == "scope"


def test_specs_conflict_across_neighbouring_years_within_a_family(config):
    a = make("spec", "Acme", metric="energy_density_wh_kg", value=350, unit="Wh/kg", year=2024,
             technology="all_solid_state")
    b = make("spec", "Acme", metric="energy_density_wh_kg", value=500, unit="Wh/kg", bound="gt", year=2025,
             technology="sulfide")
    far = make("spec", "Acme", metric="energy_density_wh_kg", value=900, unit="Wh/kg", year=2030,
               technology="sulfide")
    found = [c for c in find_conflicts([a, b, far], config) if c.type == "number"]
    assert len(found) == 1 and found[0].period == "2024 / 2025"


def _standing(subject, relation, obj=None, aspect="patents", publisher="Cell Weekly", rank=None,
              subject_type="country", **kw):
    return make("standing", subject, publisher=publisher, object=obj, relation=relation, aspect=aspect, rank=rank,
                subject_type=subject_type, **kw)


def test_a_leads_b_and_b_leads_a_conflict():
    a = _standing("Ruritania", "leads", "Borduria", year=2024)
    b = _standing("Borduria", "leads", "Ruritania", year=2024, publisher="Anode Times")
    [c] = standing_conflicts([a, b])
    assert c.type == "standing"
    assert {s.label for s in c.sides} == {"Borduria ahead of Ruritania", "Ruritania ahead of Borduria"}


def test_to_overtake_against_struggles_to_catch_up():
    overtakes = _standing("Ruritania", "overtakes", "Borduria", aspect="commercialization", published="2025-01-03")
    trails = _standing("Ruritania", "trails", "Borduria", aspect="commercialization", publisher="Anode Times",
                       published="2025-02-01")
    assert len(standing_conflicts([overtakes, trails])) == 1


def test_standings_in_different_periods_or_aspects_do_not_conflict():
    a = _standing("Ruritania", "leads", "Borduria", year=2015)
    b = _standing("Borduria", "leads", "Ruritania", year=2022, publisher="Anode Times")
    c = _standing("Borduria", "leads", "Ruritania", aspect="funding", year=2015, publisher="Grid Post")
    assert standing_conflicts([a, b, c]) == []


def test_a_first_place_clashes_with_a_rival_ahead_and_with_another_first():
    first = _standing("Ruritania", "ranks", rank=1, year=2024)
    rival = _standing("Borduria", "overtakes", "Ruritania", year=2024, publisher="Anode Times")
    other_first = _standing("Borduria", "leads", year=2024, publisher="Grid Post")
    company_first = _standing("Acme", "leads", year=2024, publisher="Grid Post", subject_type="company")
    found = standing_conflicts([first, rival, other_first, company_first])
    labels = {tuple(sorted(s.label for s in c.sides)) for c in found}
    assert ("Borduria ahead of Ruritania", "Ruritania first") in labels
    assert ("Borduria first", "Ruritania first") in labels
    assert not any("Acme" in label for pair in labels for label in pair)  # a company and a country both lead


def test_one_article_contradicting_itself_is_not_a_conflict_between_sources():
    a = _standing("Ruritania", "leads", "Borduria", year=2024, doc=3)
    b = _standing("Borduria", "leads", "Ruritania", year=2024, doc=3)
    assert standing_conflicts([a, b]) == []


def test_standings_on_different_technologies_are_a_scope_difference():
    a = _standing("Ruritania", "leads", "Borduria", year=2024, technology="all_solid_state")
    b = _standing("Borduria", "leads", "Ruritania", year=2024, publisher="Anode Times")
    [c] = standing_conflicts([a, b])
    assert c.type == "scope"
