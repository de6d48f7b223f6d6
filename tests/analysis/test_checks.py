"""Part 5: consistency checks."""

from __future__ import annotations

from ssbrace.analysis.checks import (
    fx_findings,
    rank_order_findings,
    run_checks,
    share_sum_findings,
    share_total_findings,
)
from ssbrace.analysis.facts import build_facts
from tests.analysis.conftest import make

RATES = {("RUB", 2024): 100.0}


def rate(currency, year):
    return RATES.get((currency, year))


def _money(amount, usd, publisher="Cell Weekly", **kw):
    return make("funding", "Ruritania", publisher=publisher, published="2024-05-01", amount=amount, currency="RUB",
                value_usd=usd, value=usd, unit="USD", year=2024, subject_type="country", **kw)


def test_a_conversion_more_than_15_percent_off_the_years_rate_is_flagged(config):
    ok = _money(1e9, 9.5e6)  # 105 RUB/USD: 5% off
    off = _money(1e9, 5e6, publisher="Anode Times")  # 200 RUB/USD: 100% off
    found = [f for f in fx_findings([ok, off], rate, config) if f.check == "fx"]
    assert [f.claims[0] for f in found] == [off]
    assert "200.00 RUB/USD" in found[0].summary and "+100%" in found[0].summary


def test_our_own_conversions_are_not_checked(config):
    ours = _money(1e9, 5e6, extra={"usd_converted": True})
    assert fx_findings([ours], rate, config) == []


def test_one_amount_converted_to_different_sums_is_listed(config):
    a = _money(6e9, 60e6)
    b = _money(6e9, 62e6, publisher="Anode Times")
    [found] = [f for f in fx_findings([a, b], rate, config) if f.check == "conversion"]
    assert "Cell Weekly" in found.summary and "Anode Times" in found.summary


def test_shares_of_one_segment_and_period_summing_past_100(config):
    claims = [make("market_share", name, value=v, unit="%", year=2023, segment="automotive_batteries")
              for name, v in (("Acme", 55), ("Borealis", 35), ("Cygnus", 20))]
    other_year = make("market_share", "Acme", value=90, unit="%", year=2022, segment="automotive_batteries")
    [found] = share_sum_findings(build_facts(claims + [other_year], config), config)
    assert "at least 110.0%" in found.summary


def test_shares_that_fit_pass(config):
    claims = [make("market_share", name, value=v, unit="%", year=2023, segment="automotive_batteries")
              for name, v in (("Acme", 55), ("Borealis", 35))]
    claims.append(make("market_share", "Cygnus", value=20, unit="%", year=2023, segment="automotive_batteries",
                       bound="lt"))
    assert share_sum_findings(build_facts(claims, config), config) == []


def _patents(subject, value, doc, bound="eq", kind="patents", unit="patents"):
    return make(kind, subject, doc=doc, value=value, unit=unit, bound=bound, year=2000, year_end=2023,
                technology="all_solid_state", subject_type="country")


def test_a_count_stated_as_a_share_against_the_listed_counts(config):
    # "Ruritania's 7,000 filings are over 40%": total at most 17,500, yet the list sums to 18,000.
    claims = [_patents("Ruritania", 7000, 1), _patents("Ruritania", 40, 1, "gt", "patent_share", "%"),
              _patents("Borduria", 6000, 1), _patents("Syldavia", 5000, 1)]
    [found] = share_total_findings(claims, config)
    assert "at most 17,500" in found.summary and "18,000" in found.summary


def test_two_lower_bounds_imply_no_upper_limit(config):
    # "over 7,000 filings, over 40%": the count may be 8,000 and the total 20,000, so nothing contradicts
    # the list (issue 14: this was reported as "at most 17,500"); an "under 40%" share bounds nothing either
    others = [_patents("Borduria", 6000, 1), _patents("Syldavia", 5000, 1)]
    over = [_patents("Ruritania", 7000, 1, "gt"), _patents("Ruritania", 40, 1, "gt", "patent_share", "%")]
    assert share_total_findings(over + others, config) == []
    under_share = [_patents("Ruritania", 7000, 1), _patents("Ruritania", 40, 1, "lt", "patent_share", "%")]
    assert share_total_findings(under_share + others, config) == []


def test_a_count_and_share_that_fit_pass_and_a_world_total_is_compared(config):
    fits = [_patents("Ruritania", 7000, 1), _patents("Ruritania", 40, 1, kind="patent_share", unit="%"),
            _patents("Borduria", 6000, 1)]
    assert share_total_findings(fits, config) == []
    world = make("patents", "Globe", doc=2, value=30000, unit="patents", year_end=2023, technology="all_solid_state",
                 subject_type="region")
    [found] = share_total_findings(fits + [world], config)
    assert "world total is 30,000" in found.summary


def test_a_second_place_larger_than_the_first(config):
    first = make("market_share", "Acme", value=20, unit="%", year=2023, segment="automotive_batteries", rank=1)
    second = make("market_share", "Borealis", value=25, unit="%", year=2023, segment="automotive_batteries", rank=2)
    third = make("market_share", "Cygnus", value=10, unit="%", year=2023, segment="automotive_batteries", rank=3)
    [found] = rank_order_findings([first, second, third], config)
    assert "no. 2 Borealis" in found.summary and "no. 1 Acme" in found.summary
    assert rank_order_findings([first, third], config) == []


def test_run_checks_collects_every_check(config):
    claims = [_money(1e9, 5e6),
              make("market_share", "Acme", value=20, unit="%", year=2023, segment="s", rank=1),
              make("market_share", "Borealis", value=95, unit="%", year=2023, segment="s", rank=2)]
    checks = {f.check for f in run_checks(claims, config, rate)}
    assert checks == {"fx", "share_sum", "rank_order"}
