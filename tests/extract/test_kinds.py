"""One test group per claim kind, on sentences written for these tests with invented names."""

from datetime import date

import pytest

from tests.extract.conftest import kinds

PUB = date(2024, 6, 1)


def test_patents_counts_with_window_and_bound(extract):
    claims = kinds(extract("Ruritania holds about 2,100 solid-state battery patents filed from 2005 to 2022.",
                           published=PUB), "patents")
    assert [(c["subject"], c["value"], c["bound"], c["year"], c["year_end"]) for c in claims] == [
        ("Ruritania", 2100, "approx", 2005, 2022)]


def test_patents_attach_to_the_right_subject_when_several_are_named(extract):
    text = "Ruritania ranks second with 4,625 filings, ahead of Borduria with 3,225."
    claims = extract(text, published=PUB)
    assert {(c["subject"], c["value"]) for c in kinds(claims, "patents")} == {("Ruritania", 4625), ("Borduria", 3225)}
    standings = {(c["subject"], c["relation"], c["object"], c["rank"]) for c in kinds(claims, "standing")}
    assert ("Ruritania", "leads", "Borduria", None) in standings
    assert ("Ruritania", "ranks", None, 2) in standings


def test_patent_share_and_not_a_growth_rate(extract):
    claims = extract("Ruritanian applicants account for over 35% of the world's filings, and filings grew 20% a year.")
    shares = kinds(claims, "patent_share")
    assert [(c["subject"], c["value"], c["bound"]) for c in shares] == [("Ruritania", 35, "gt")]


def test_market_share_with_segment_year_and_possessive(extract):
    claims = kinds(extract("Acme's share of global EV battery installations rose to 12% in 2023."), "market_share")
    assert [(c["subject"], c["value"], c["year"], c["segment"]) for c in claims] == [
        ("Acme", 12, 2023, "automotive_batteries")]


def test_a_percent_that_is_not_a_share_is_no_claim(extract):
    claims = extract("Acme says its new cell has 40% higher energy density and a 90% yield on the line.")
    assert kinds(claims, "market_share") == [] and kinds(claims, "patent_share") == []


def test_funding_is_paid_by_the_country_with_stated_conversion(extract):
    claims = kinds(extract("The Ruritanian government set aside 90 billion yen ($600 million) for solid-state research.",
                           published=PUB), "funding")
    assert [(c["subject"], c["amount"], c["currency"], c["value_usd"]) for c in claims] == [
        ("Ruritania", 9e10, "JPY", 6e8)]


def test_funding_without_conversion_uses_the_bundled_rate(extract, tiny_pack):
    claims = kinds(extract("MIRI will grant 10 billion yen to battery makers.", published=PUB), "funding")
    assert claims[0]["subject"] == "Ruritania"
    assert claims[0]["value_usd"] == pytest.approx(1e10 / tiny_pack.usd_rate("JPY", 2024), rel=1e-6)


def test_investment_is_a_companys_own_money(extract):
    claims = extract("Acme will spend $400 million on a pilot line.", published=PUB)
    assert [(c["subject"], c["amount"], c["currency"]) for c in kinds(claims, "investment")] == [("Acme", 4e8, "USD")]
    assert kinds(claims, "funding") == []


def test_revenue_is_not_money_claimed(extract):
    assert kinds(extract("Acme reported revenue of $4 billion last year."), "investment") == []


def test_target_needs_a_goal_and_a_stage(extract):
    claims = kinds(extract("Acme aims to mass-produce all-solid-state cells by 2029."), "target")
    assert [(c["subject"], c["year"], c["stage"], c["technology"]) for c in claims] == [
        ("Acme", 2029, "mass_production", "all_solid_state")]
    assert kinds(extract("Acme was founded in 2011 and makes batteries."), "target") == []


def test_two_stages_two_years(extract):
    claims = kinds(extract("Zenith plans samples in 2027 and mass production in 2030."), "target")
    assert {(c["year"], c["stage"]) for c in claims} == {(2027, "sample"), (2030, "mass_production")}


def test_coordinated_subjects_split_and_partner(extract):
    claims = extract("Acme and Borealis aim to commercialize sulfide batteries in 2027 or 2028.")
    targets = kinds(claims, "target")
    assert {(c["subject"], c["year"], c["year_end"]) for c in targets} == {("Acme", 2027, 2028),
                                                                          ("Borealis Chemicals", 2027, 2028)}
    pairs = {frozenset((c["subject"], c["object"])) for c in kinds(claims, "partnership")}
    assert pairs == {frozenset({"Acme", "Borealis Chemicals"})}


@pytest.mark.parametrize("text", [
    "Acme teamed up with Borealis on electrolytes.",
    "Acme signed a supply deal with Borealis.",
    "Borealis, a partner of Acme, will build the line.",
    "The cells were jointly developed by Acme and Borealis.",
])
def test_partnership_phrasings(extract, text):
    pairs = {frozenset((c["subject"], c["object"])) for c in kinds(extract(text), "partnership")}
    assert pairs == {frozenset({"Acme", "Borealis Chemicals"})}


def test_rivals_are_not_partners(extract):
    assert kinds(extract("Acme trails Borealis in patents."), "partnership") == []


def test_spec_metrics(extract):
    # the rules' reading (the model trained on batches a-i declines the charge time of this tiny-pack sentence,
    # p 0.26 against the bar of 0.3; the set-level tests check what the model keeps)
    claims = kinds(extract("Acme's cell reaches 500 Wh/kg and gives 1,000 km (620 miles) of range on a 10-minute charge.",
                           decider=False), "spec")
    assert {(c["metric"], c["value"]) for c in claims} == {("energy_density_wh_kg", 500), ("range_km", 1000),
                                                          ("charge_minutes", 10)}


def test_capacity_per_year_but_not_installed_gwh(extract):
    claims = extract("Borealis will build a plant able to make 800 tonnes of electrolyte a year.")
    assert [(c["subject"], c["value"], c["unit"]) for c in kinds(claims, "capacity")] == [
        ("Borealis Chemicals", 800, "t/yr")]
    assert kinds(extract("Zenith installed 150 GWh of batteries in 2024."), "capacity") == []


def test_standing_relations(extract):
    got = {(c["subject"], c["relation"], c["object"]) for c in kinds(extract("Ruritania trails Borduria in patents."), "standing")}
    assert got == {("Ruritania", "trails", "Borduria")}
    got = {(c["subject"], c["relation"], c["rank"]) for c in kinds(extract("Zenith is the world's largest battery maker."), "standing")}
    assert got == {("Zenith Cells", "ranks", 1)}
    got = {(c["subject"], c["relation"], c["object"]) for c in kinds(extract("Borduria overtook Ruritania in solid-state patents."), "standing")}
    assert got == {("Borduria", "overtakes", "Ruritania")}


def test_coreference_carries_the_subject(extract):
    text = "Acme Motor unveiled a new cell on Monday. The automaker plans to start mass production in 2028."
    claims = kinds(extract(text), "target")
    assert [(c["subject"], c["year"]) for c in claims] == [("Acme", 2028)]
    assert claims[0]["confidence"] < 0.85


def test_unknown_organisation_keeps_its_name_without_suffix(extract):
    claims = kinds(extract("Quillon Energy Co., Ltd. plans to start mass production of solid-state cells in 2027."), "target")
    assert [c["subject"] for c in claims] == ["Quillon Energy"]


def test_every_claim_has_evidence_offsets_into_the_text(extract):
    text = "Headline: Acme bets on cells\n\nAcme aims to mass-produce solid-state cells by 2029. Borealis holds 12% of the market."
    for c in extract(text, doc="x.txt"):
        ev = c["evidence"]
        assert text[ev["start"] : ev["end"]] == ev["sentence"]
        assert c["doc"] == "x.txt" and 0 <= c["confidence"] <= 1
