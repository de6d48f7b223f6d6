"""Rules added in 1.5.0 after error analysis on the blind3 set; every sentence is written for these tests."""

from __future__ import annotations

from datetime import date

from ssbrace.extract.pipeline import extract_claims

PUB = date(2025, 6, 2)


def run(text: str) -> list[dict]:
    return [c.to_json() for c in extract_claims(text, published=PUB, doc="t.txt", decider=False)]


def kinds(text: str, kind: str) -> list[dict]:
    return [c for c in run(text) if c["kind"] == kind]


def ranks(text: str) -> dict[str, int]:
    return {c["subject"]: c["rank"] for c in kinds(text, "standing") if c["relation"] == "ranks"}


def shares(text: str) -> dict[str, float]:
    return {c["subject"]: c["value"] for c in kinds(text, "market_share")}


# ---------------------------------------------------------------- market_share: a league table in prose


def test_league_table_rows_keep_the_topic_from_sentence_to_sentence() -> None:
    text = ("Samsung SDI held 9.1% of the battery capacity installed in cars last year. "
            "SK On was next with 7.2%. Panasonic, the main supplier to Tesla, came in with 6.0%. "
            "Gotion and CALB followed on 3.3% and 2.9% respectively.")
    got = shares(text)
    assert got == {"Samsung SDI": 9.1, "SK On": 7.2, "Panasonic": 6.0, "Gotion High-Tech": 3.3, "CALB": 2.9}


def test_a_sentence_without_figures_opens_a_market_passage() -> None:
    text = ("Strip out China's domestic market and the order changes. "
            "In Europe, LG Energy Solution came out on top with 31.5%, just ahead of CATL at 30.2%.")
    assert shares(text) == {"LG Energy Solution": 31.5, "CATL": 30.2}


def test_percentages_far_from_any_market_passage_stay_out() -> None:
    text = ("The plant will run on renewable power. "
            "The sky was clear. The choir sang. Toyota finished with 40% of the votes in the staff poll.")
    assert shares(text) == {}


# ---------------------------------------------------------------- standing: places in other words


def test_placed_before_a_name_is_a_rank() -> None:
    assert ranks("Third-placed BYD shipped 12% more cells than a year before.") == {"BYD": 3}


def test_ordinals_past_tenth_are_ranks() -> None:
    assert ranks("Samsung SDI, ranking 14th on the list, filed 210 applications.") == {"Samsung SDI": 14}


def test_most_prolific_applicant_is_first() -> None:
    assert ranks("Panasonic is the most prolific applicant for sulfide electrolyte patents.") == {"Panasonic": 1}


def test_stated_place_beats_a_superlative_in_an_aside() -> None:
    got = ranks("LG Energy Solution, the leading supplier to GM, ended the year fifth with 5.5%.")
    assert got == {"LG Energy Solution": 5}


def test_in_third_after_followed_by() -> None:
    text = "Toyota topped the patent count, followed by Panasonic in second place and LG Energy Solution in third."
    assert ranks(text) == {"Toyota": 1, "Panasonic": 2, "LG Energy Solution": 3}


def test_in_first_before_a_noun_is_not_a_rank() -> None:
    assert ranks("Toyota will ship the cells in first half deliveries next year.") == {}


def test_coordinated_places_go_in_order() -> None:
    assert ranks("Japan and China held the first and second places in the filing count.") == {"Japan": 1, "China": 2}


def test_count_of_places_is_not_a_list_of_ranks() -> None:
    assert ranks("Korean firms took three of the top ten places.") == {}


# ---------------------------------------------------------------- capacity: market totals and gaps


def test_market_volume_in_gwh_is_not_a_capacity() -> None:
    assert kinds("Global EV battery usage rose to 512.3 GWh last year, the tracker said.", "capacity") == []


def test_gap_in_gwh_is_not_a_capacity() -> None:
    text = "CATL stayed ahead of BYD, a gap of less than two gigawatt-hours."
    assert kinds(text, "capacity") == []


def test_plant_capacity_still_counts() -> None:
    got = kinds("Gotion plans a 40 GWh plant in Illinois.", "capacity")
    assert [(c["subject"], c["value"]) for c in got] == [("Gotion High-Tech", 40.0)]


# ---------------------------------------------------------------- spec: sources and yardsticks


def test_according_to_names_the_source_of_a_pronoun_spec() -> None:
    text = "Hyundai has begun tests. In the lab they store up to 420 Wh/kg, according to Factorial."
    got = kinds(text, "spec")
    assert [(c["subject"], c["value"]) for c in got] == [("Factorial Energy", 420.0)]


def test_comparison_yardstick_is_no_spec() -> None:
    text = ("Hyundai has begun tests of the new pack. "
            "By comparison, good lithium-ion cells in current cars reach about 280 Wh/kg.")
    assert kinds(text, "spec") == []


def test_named_subject_in_a_comparison_keeps_its_spec() -> None:
    got = kinds("By comparison, QuantumScape says its cells reach 301 Wh/kg.", "spec")
    assert [(c["subject"], c["value"]) for c in got] == [("QuantumScape", 301.0)]


def test_forecast_market_size_in_gwh_is_not_a_capacity() -> None:
    text = "Analysts expect the solid-state cell market to reach 1,200 GWh by 2035, with Toyota among the leaders."
    assert kinds(text, "capacity") == []
