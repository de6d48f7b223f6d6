"""Part 6: indicators with source counts, composite ranking with pack weights and overrides."""

from __future__ import annotations

import pytest

from ssbrace.analysis.scoreboard import build_scoreboard
from ssbrace.errors import UsageError
from tests.analysis.conftest import make


def _claims():
    country = {"subject_type": "country"}
    return [
        make("patents", "Ruritania", value=7000, unit="patents", year=2000, year_end=2023, technology="t", **country),
        make("patents", "Borduria", value=3000, unit="patents", year=2000, year_end=2023, technology="t",
             publisher="Anode Times", **country),
        make("patents", "Borduria", value=9999, unit="patents", year=2018, technology=None, **country),  # other study
        make("funding", "Borduria", value=2e9, value_usd=2e9, unit="USD", year=2024, program="Big Fund", **country),
        make("funding", "Borduria", value=1e9, value_usd=1e9, unit="USD", year=2023, program="Small Fund", **country),
        make("funding", "Borduria", value=1e9, value_usd=1e9, unit="USD", year=2023, program="Small Fund",
             publisher="Grid Post", **country),
        make("market_share", "Ruritania", value=30, unit="%", year=2023, segment="automotive_batteries", **country),
        make("market_share", "Ruritania", value=20, unit="%", year=2021, segment="automotive_batteries", **country),
        make("market_share", "Acme", value=12, unit="%", year=2023, segment="automotive_batteries",
             subject_country="Ruritania"),
        make("target", "Acme", stage="mass_production", value=2027, unit="year", year=2027, subject_country="Ruritania"),
        make("target", "Zenith", stage="mass_production", value=2030, unit="year", year=2030, subject_country="Borduria"),
        make("spec", "Zenith", metric="energy_density_wh_kg", value=450, unit="Wh/kg", subject_country="Borduria"),
        make("patents", "Globe", value=50000, unit="patents", year=2000, year_end=2023, technology="t",
             subject_type="region"),
    ]


def test_country_board_indicators_and_sources(config):
    board = build_scoreboard(_claims(), config, "country")
    rows = {r.entity: r for r in board.rows}
    assert set(rows) == {"Ruritania", "Borduria"}  # the world total is not ranked
    assert rows["Borduria"].indicators["patents"].value == 3000  # one study for everyone
    assert rows["Borduria"].indicators["funding"].value == 3e9  # each programme once
    assert rows["Borduria"].indicators["funding"].n_sources == 2
    assert rows["Ruritania"].indicators["market_share"].display == "30%"  # the latest year
    assert rows["Ruritania"].indicators["earliest_mass_production"].display == "2027"
    assert rows["Borduria"].indicators["best_energy_density"].value == 450
    assert "2000-2023" in board.notes["patents"]


def test_ranking_follows_the_weights_and_says_how(config):
    board = build_scoreboard(_claims(), config, "country")
    assert [r.entity for r in board.rows] == ["Ruritania", "Borduria"]
    assert [r.rank for r in board.rows] == [1, 2]
    assert "patents=2" in board.explanation and "sum(weights)" in board.explanation
    heavy_money = config.with_weights({"funding": 20, "best_energy_density": 10})
    board = build_scoreboard(_claims(), heavy_money, "country")
    assert board.rows[0].entity == "Borduria"
    assert "funding=20" in board.explanation


def test_company_board(config):
    board = build_scoreboard(_claims(), config, "company")
    assert {r.entity for r in board.rows} == {"Acme", "Zenith"}
    assert {r.entity: r for r in board.rows}["Acme"].indicators["market_share"].display == "12%"
    assert board.rows[0].score >= board.rows[1].score


def test_bad_weights_and_board_kinds_are_usage_errors(config):
    with pytest.raises(UsageError):
        config.with_weights({"charisma": 3})
    with pytest.raises(UsageError):
        build_scoreboard(_claims(), config, "planet")


def test_weight_overrides_parse():
    from ssbrace.analysis.config import parse_weight_overrides

    assert parse_weight_overrides(["patents=2", "funding=0.5"]) == {"patents": 2.0, "funding": 0.5}
    for bad in ("patents", "patents=lots", "=2", "patents=-1"):
        with pytest.raises(UsageError):
            parse_weight_overrides([bad])
