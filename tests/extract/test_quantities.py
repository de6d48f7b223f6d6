"""Numbers, money, percentages, measures, bounds and years."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssbrace.extract.lexicon import lexicon_for
from ssbrace.extract.quantities import QuantityFinder, parse_number


@pytest.fixture(scope="module")
def finder(tiny_pack):
    return QuantityFinder(lexicon_for(tiny_pack))


def one(finder, text, kind):
    found = [q for q in finder.find(text) if q.kind == kind]
    assert len(found) == 1, found
    return found[0]


@given(st.integers(min_value=0, max_value=10**12))
def test_digits_with_thousands_separators_parse(n):
    assert parse_number(f"{n:,}") == n


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)))
def test_decimals_parse(x):
    assert parse_number(f"{x}") == pytest.approx(x)


@pytest.mark.parametrize("words,value", [("six", 6), ("twenty-five", 25), ("one hundred", 100), ("three thousand", 3000)])
def test_number_words(words, value):
    assert parse_number(words) == value


@pytest.mark.parametrize("text,amount,currency,usd", [
    ("plans to spend $1.2bn on it", 1.2e9, "USD", 1.2e9),
    ("a US$660 million ceiling", 6.6e8, "USD", 6.6e8),
    ("a ¥21.3 billion plant", 2.13e10, "JPY", None),
    ("KRW 182.4 billion ($133.2 million) in total", 1.824e11, "KRW", 1.332e8),
    ("6 billion yuan (about $830 million) for it", 6e9, "CNY", 8.3e8),
    ("over 1 trillion won", 1e12, "KRW", None),
    ("a €2 billion gigafactory", 2e9, "EUR", None),
    ("RMB 6bn fund", 6e9, "CNY", None),
])
def test_money_with_and_without_a_stated_conversion(finder, text, amount, currency, usd):
    q = one(finder, text, "money")
    assert q.amount == pytest.approx(amount)
    assert q.currency == currency
    assert (q.usd == pytest.approx(usd)) if usd else q.usd is None


@pytest.mark.parametrize("text,bound", [
    ("over 35% of filings", "gt"), ("more than 7,000 patents", "gt"), ("nearly 90% of cells", "approx"),
    ("about 1,200 km", "approx"), ("up to 450 Wh/kg", "lt"), ("under 6% of batteries", "lt"),
    ("500 Wh/kg or more", "gt"), ("exactly 12% of it", "eq"),
])
def test_bounds(finder, text, bound):
    q = [q for q in finder.find(text) if q.kind != "count" or "patents" in text][0]
    assert q.bound == bound


def test_fractions_are_percentages_but_halves_of_years_are_not(finder):
    assert one(finder, "more than half of the filings", "percent").value == 50
    assert one(finder, "a quarter of the market", "percent").value == 25
    assert [q for q in finder.find("in the second half of the year") if q.kind == "percent"] == []


@pytest.mark.parametrize(("text", "value"), [
    ("a share of 14-point-five percent", 14.5),
    ("held five-point-two percent of the market", 5.2),
    ("to take a 36-point-eight-percent share", 36.8),
    ("twenty-three-point-nine percent", 23.9),
])
def test_percentages_written_as_spoken(finder, text, value):
    assert one(finder, text, "percent").value == pytest.approx(value)


def test_measures_convert_miles_and_megawatt_hours(finder):
    assert one(finder, "about 600 miles of range", "measure").value == pytest.approx(965.6, rel=1e-3)
    q = one(finder, "a 10-minute charge", "measure")
    assert (q.value, q.metric) == (10, "charge_minutes")
    assert one(finder, "1,000 tonnes a year", "measure").unit == "t/yr"


@pytest.mark.parametrize("text,year,year_end", [
    ("in 2027 or 2028", 2027, 2028), ("in 2027-28", 2027, 2028), ("between 2027 and 2028", 2027, 2028),
    ("from 2000 to 2023", 2000, 2023), ("by fiscal 2028", 2028, None), ("in the late 2020s", 2027, 2029),
    ("last year", 2023, None), ("within five years", 2029, None), ("in 2021 and 2022", 2021, None),
])
def test_years_and_ranges(finder, text, year, year_end):
    refs = finder.find_years(text, date(2024, 5, 1))
    assert (refs[0].year, refs[0].year_end) == (year, year_end)


def test_a_dateline_date_is_not_a_year_of_the_text(finder):
    assert finder.find_years("TOKYO, Oct. 12, 2023 -- Acme said it will build a plant", None) == []


@given(st.integers(min_value=1950, max_value=2099))
def test_every_year_is_found_and_never_a_count(finder, year):
    text = f"The plant opens in {year}."
    assert [r.year for r in finder.find_years(text, None)] == [year]
    assert all(q.kind != "count" for q in finder.find(text))
