"""Targets in real reporting (slips, achieved milestones, described companies) and subjects in context.

Every sentence here is written for these tests.
"""

from __future__ import annotations

from datetime import date

from ssbrace.extract.pipeline import extract_claims

PUB = date(2024, 6, 1)


def run(text: str, kind: str) -> list[dict]:
    return [c.to_json() for c in extract_claims(text, published=PUB, doc="t.txt") if c.kind == kind]


def targets(text: str) -> set[tuple[str, int, str]]:
    return {(c["subject"], c["year"], c["stage"]) for c in run(text, "target")}


def test_slip_gives_new_year_and_the_earlier_plan() -> None:
    got = targets("Toyota pushed back its mass production of solid-state batteries to 2028 from 2027.")
    assert got == {("Toyota", 2028, "mass_production"), ("Toyota", 2027, "mass_production")}


def test_plain_from_year_is_a_start_not_an_earlier_plan() -> None:
    assert targets("Toyota will start mass production from 2027.") == {("Toyota", 2027, "mass_production")}


def test_earlier_date_previously_given_keeps_the_stage() -> None:
    got = targets("SK On now aims to commercialize all-solid-state batteries by 2029, a year earlier than "
                  "the 2030 date it had previously given.")
    assert got == {("SK On", 2029, "commercialization"), ("SK On", 2030, "commercialization")}


def test_milestone_since_a_year_is_a_target() -> None:
    assert targets("Samsung SDI has had a pilot line running in Suwon since 2023.") == {("Samsung SDI", 2023, "pilot")}
    got = targets("Samsung SDI sells cells. The Suwon-based company has been shipping samples to carmakers since 2022.")
    assert got == {("Samsung SDI", 2022, "sample")}


def test_since_without_a_stage_is_no_milestone() -> None:
    text = "BMW has tested an i7 fitted with cells from Solid Power, in which it has held a stake since 2021."
    assert all(year != 2021 for _, year, _ in targets(text))


def test_described_company_resolves_to_the_last_named_company() -> None:
    text = ("Sumitomo Metal Mining will supply cathode material to Toyota. The nonferrous metal company aims to "
            "start mass production of the material in fiscal 2028.")
    assert targets(text) == {("Sumitomo Metal Mining", 2028, "mass_production")}


def test_world_scope_of_a_superlative_is_not_the_subject() -> None:
    text = "CATL: The world's largest power battery maker plans to make all-solid-state cells in small batches in 2027."
    assert targets(text) == {("CATL", 2027, "sample")}


def test_start_operating_is_a_production_start() -> None:
    text = "Idemitsu Kosan will build a lithium sulfide plant. It is scheduled to start operating in June 2027."
    assert targets(text) == {("Idemitsu Kosan", 2027, "mass_production")}


def test_town_east_of_a_city_is_not_the_subject() -> None:
    text = ("Idemitsu Kosan will build a lithium sulfide plant. The facility, at the refiner's site east of Tokyo, "
            "is due to start operating in 2027.")
    # The rules reach Idemitsu through "the refiner's" at low confidence (0.3); the model, which has learned
    # that such readings are more often wrong than right in real reporting, declines it. Neither reads Tokyo.
    rules = {(c.subject, c.year, c.stage) for c in extract_claims(text, published=PUB, doc="t.txt", decider=False)
             if c.kind == "target"}
    assert rules == {("Idemitsu Kosan", 2027, "mass_production")}
    assert all(subject != "Japan" for subject, _, _ in targets(text))


def test_safe_harbour_boilerplate_gives_nothing() -> None:
    text = ("This release contains forward-looking statements within the meaning of the Private Securities "
            "Litigation Reform Act of 1995, including the timing of Solid Power sample deliveries in 2026.")
    assert extract_claims(text, published=PUB) == []


def test_outlook_period_is_not_a_target() -> None:
    text = "LG Energy Solution reported results. For 2024, we expect sales growth to slow as selling prices fall."
    assert targets(text) == set()


def test_speaker_we_is_the_document_company() -> None:
    text = ("LG Energy Solution held its earnings call with analysts. Our plants with Honda and Hyundai are on "
            "schedule. We are targeting commercialization of our all-solid-state batteries around 2030.")
    assert targets(text) == {("LG Energy Solution", 2030, "commercialization")}


def test_relative_and_fiscal_years() -> None:
    assert targets("Toyota aims to start mass production within three years.") == {("Toyota", 2027, "mass_production")}
    got = targets("Honda, founded in 1948, plans mass production in fiscal 2028.")
    assert got == {("Honda", 2028, "mass_production")}


def test_capacity_of_a_licensee_not_the_licensor() -> None:
    text = ("PowerCo tests cells. In July it signed a deal that lets it build cells based on QuantumScape's "
            "technology, with output of up to 40 GWh a year.")
    assert [(c["subject"], c["value"]) for c in run(text, "capacity")] == [("PowerCo", 40.0)]


def test_capacity_of_a_unit_not_its_parent_group() -> None:
    text = ("In Alsace, Blue Solutions, the battery arm of the Bolloré group, plans a gigafactory "
            "near Mulhouse. The plant is designed for 25 GWh a year.")
    caps = run(text, "capacity")
    assert [(c["subject"], c["value"]) for c in caps] == [("Blue Solutions", 25.0)]


def test_capacity_phrasings() -> None:
    cases = {
        "Samsung SDI plans a plant with an annual capacity of 40 GWh in Hungary.": ("Samsung SDI", 40.0),
        "SK On will build a 10 GWh line in Seosan.": ("SK On", 10.0),
        "Hyundai will take cells from LG Energy Solution's 43 GWh plant in Georgia.": ("LG Energy Solution", 43.0),
        "Bolloré's Blue Solutions plans a 25 GWh plant in Alsace.": ("Blue Solutions", 25.0),
    }
    for text, want in cases.items():
        # the rules read each phrasing; the trained decider keeps the plants a company builds or plans
        rules = [(c.subject, c.value) for c in extract_claims(text, published=PUB, doc="t.txt", decider=False)
                 if c.kind == "capacity"]
        assert rules == [want], text
        if "take cells from" not in text:  # a supplier's plant named in passing: the decider may drop it
            assert [(c["subject"], c["value"]) for c in run(text, "capacity")] == [want], text
