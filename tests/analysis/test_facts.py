"""Part 2: facts, bound-aware agreement, distinct publishers, latest statement."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ssbrace.analysis.facts import agree, build_facts, format_value, split_sides
from tests.analysis.conftest import make


def test_lower_bound_agrees_with_a_larger_exact_figure(config):
    over = make("patents", "Ruritania", value=7000, unit="patents", bound="gt", year=2000, year_end=2023)
    exact = make("patents", "Ruritania", value=7200, unit="patents", year=2000, year_end=2023)
    assert agree(over, exact, config)
    [fact] = build_facts([over, exact], config)
    assert fact.agree and fact.value == 7200  # the exact statement stands for the agreed fact


def test_two_exact_counts_for_one_period_disagree(config):
    a = make("patents", "Ruritania", value=4625, unit="patents", year=2000, year_end=2023)
    b = make("patents", "Ruritania", value=4100, unit="patents", year=2000, year_end=2023)
    [fact] = build_facts([a, b], config)
    assert not fact.agree
    assert len(fact.sides) == 2


def test_under_bound_disagrees_with_a_larger_figure(config):
    under = make(value=6, unit="%", bound="lt", year=2024, segment="automotive_batteries")
    big = make(value=12, unit="%", year=2024, segment="automotive_batteries")
    assert not agree(under, big, config)


def test_approx_widens_the_tolerance(config):
    about = make(value=40, unit="%", bound="approx", year=2020, segment="s")
    exact = make(value=42, unit="%", year=2020, segment="s")
    plain = make(value=40, unit="%", year=2020, segment="s")
    assert agree(about, exact, config)
    assert not agree(plain, exact, config)


def test_sources_are_publishers_not_articles(config):
    a = make(value=37, unit="%", year=2022, segment="automotive_batteries", publisher="Cell Weekly")
    b = make(value=37, unit="%", year=2022, segment="automotive_batteries", publisher="Cell Weekly")
    c = make(value=37.2, unit="%", year=2022, segment="automotive_batteries", publisher="Anode Times",
             published="2025-01-05")
    [fact] = build_facts([a, b, c], config)
    assert fact.n_sources == 2
    assert fact.latest is c
    assert len(fact.claims) == 3


def test_facts_are_keyed_by_entity_metric_and_period(config):
    claims = [make(value=30, unit="%", year=2022, segment="automotive_batteries"),
              make(value=31, unit="%", year=2023, segment="automotive_batteries"),
              make(value=20, unit="%", year=2022, segment="lithium_ion_batteries"),
              make(subject="Borealis", value=30, unit="%", year=2022, segment="automotive_batteries")]
    assert len(build_facts(claims, config)) == 4


def test_money_is_compared_in_dollars(config):
    a = make("funding", "Ruritania", amount=6e9, currency="RUB", value_usd=830e6, value=830e6, unit="USD", year=2024)
    b = make("funding", "Ruritania", amount=6e9, currency="RUB", value_usd=700e6, value=700e6, unit="USD", year=2024)
    [fact] = build_facts([a, b], config)
    assert not fact.agree
    assert format_value(fact.value, "USD") in {"US$830 million", "US$700 million"}


def test_format_value():
    assert format_value(7000, "patents", "gt") == "over 7,000 patents"
    assert format_value(4.6, "%") == "4.6%"
    assert format_value(2.24e9, "USD") == "US$2.24 billion"
    assert format_value(36.25, "%", "approx") == "about 36.2%"


bounds = st.sampled_from(["eq", "gt", "lt", "approx"])
values = st.floats(min_value=0.01, max_value=1e9, allow_nan=False)


@given(values, bounds, values, bounds)
def test_agreement_is_symmetric(v1, b1, v2, b2):
    from ssbrace.analysis.config import AnalysisConfig

    config = AnalysisConfig()
    a = make(value=v1, bound=b1, unit="%", year=2020, segment="s")
    b = make(value=v2, bound=b2, unit="%", year=2020, segment="s")
    assert agree(a, b, config) == agree(b, a, config)


@given(st.lists(st.tuples(values, bounds), min_size=1, max_size=8))
def test_sides_partition_the_claims_and_agree_within(items):
    from ssbrace.analysis.config import AnalysisConfig

    config = AnalysisConfig()
    claims = [make(value=v, bound=b, unit="%", year=2020, segment="s") for v, b in items]
    sides = split_sides(claims, config)
    assert sorted(c.id for side in sides for c in side) == sorted(c.id for c in claims)
    for side in sides:
        assert all(agree(x, y, config) for x in side for y in side)
