"""Readings added in session 11 on what real reporting does (examples in our own words)."""

from __future__ import annotations

from datetime import date

from ssbrace.extract.candidates import Candidate
from ssbrace.extract.pipeline import extract_claims, extractor_for

PUB = date(2025, 6, 2)


def _pairs_of(text: str) -> set[frozenset[str]]:
    return {frozenset((c.subject, c.object or "")) for c in extract_claims(text, published=PUB, doc="s11.txt")
            if c.kind == "partnership"}


def _cands(text: str) -> list[Candidate]:
    return extractor_for().candidates(text, published=PUB, doc="s11.txt")


def test_a_supplier_is_credited_with_the_buyers_whose_sales_lifted_it() -> None:
    pairs = _pairs_of("Brisk sales of the Kia EV9 and the Hyundai Ioniq 9 lifted SK On in the first half.")
    assert {frozenset(("SK On", "Kia")), frozenset(("SK On", "Hyundai"))} <= pairs
    assert frozenset(("Kia", "Hyundai")) not in pairs  # two buyers of one supplier are not partners
    pairs = _pairs_of("Panasonic posted steady growth based on solid sales of the Tesla Model 3 and the Lucid Air.")
    assert {frozenset(("Panasonic", "Tesla")), frozenset(("Panasonic", "Lucid"))} <= pairs


def test_sales_told_beside_a_supplier_without_crediting_it_give_no_supply_pair() -> None:
    assert frozenset(("CATL", "Tesla")) not in _pairs_of("CATL said sales of the Tesla Model Y fell in May.")


def test_a_firm_named_with_its_home_town_keeps_only_its_name() -> None:
    text = ("Larkspur Cells raised $20 million in May. Northgate Ventures of Boise, Idaho and "
            "Bluefield Capital Partners led the round.")
    names = {n for c in _cands(text) if c.claim.kind == "partnership" for n in (c.claim.subject, c.claim.object)}
    assert "Northgate Ventures" in names
    assert not [n for n in names if n and n.startswith("Northgate Ventures of")]


def test_a_parent_named_in_apposition_is_a_partner() -> None:
    pairs = _pairs_of("Geely, the parent company of Volvo Cars, said on Monday it had finished its first pack.")
    assert frozenset(("Geely", "Volvo Cars")) in pairs


def test_investors_listed_after_a_raise_pair_with_the_company_not_with_each_other() -> None:
    text = "Solid Power raised $20 million in May. Investors in the round include Toyota, Samsung SDI and Hyundai."
    pairs = _pairs_of(text)
    assert {frozenset(("Solid Power", n)) for n in ("Toyota", "Samsung SDI", "Hyundai")} <= pairs
    assert frozenset(("Toyota", "Hyundai")) not in pairs
    led = _pairs_of("Solid Power raised $20 million in May. BMW and Ford led the round.")
    assert {frozenset(("Solid Power", "BMW")), frozenset(("Solid Power", "Ford"))} <= led
    assert frozenset(("BMW", "Ford")) not in led


def test_an_owner_and_the_members_of_a_joint_project_are_partners() -> None:
    assert {frozenset(("Geely", "Lotus")), frozenset(("Geely", "Polestar"))} <= _pairs_of(
        "Geely owns Lotus and Polestar, and says both will use the new pack.")
    project = _pairs_of("Ionity is a joint project of BMW, Volkswagen and Ford.")
    assert {frozenset(("Ionity", n)) for n in ("BMW", "Volkswagen", "Ford")} <= project


def test_a_speed_is_not_a_driving_range() -> None:
    claims = extract_claims("The NIO ET7 kept an average of 83.9 km/h and drove 1,044 km on one charge.", doc="s11.txt")
    ranges = [c.value for c in claims if c.kind == "spec" and c.unit == "km"]
    assert ranges == [1044.0]


def test_a_country_makes_no_cell_so_a_spec_goes_to_the_company() -> None:
    claims = extract_claims("Xiaomi showed its new pack on Monday. Sold in China, the car offers a range of 1,200 km.",
                            doc="s11.txt")
    assert [(c.subject, c.value) for c in claims if c.kind == "spec"] == [("Xiaomi", 1200.0)]
