from hypothesis import given
from hypothesis import strategies as st

from ssbrace.stories.features import (
    fact_figures,
    figure_keys,
    marking_figures,
    strip_header_lines,
    telling_figures,
)


def test_figures_are_normalised_so_different_writings_meet():
    assert figure_keys("$1.2bn") == figure_keys("1,200 million dollars") == {"1.2e+09"}
    assert figure_keys("21.3 billion yen") == {"2.13e+10"}
    assert "2027" in figure_keys("by 2027")
    assert "2027" not in figure_keys("by 2027", with_years=False)


def test_telling_figures_leave_out_years_dates_small_counts_and_model_names():
    text = "Date: 2024-01-21. On June 16, in 2027-28, two plants, QSE-5 cells, 3 firms: 900 Wh/L and 40%."
    assert telling_figures(text) == {"900", "40"}


def test_header_lines_are_stripped():
    assert strip_header_lines("Title: X\nDate: 2024-01-02\nPublisher: Y\n\nBody. Text.") == "Body. Text."


@given(st.integers(min_value=10, max_value=10**9))
def test_thousands_separators_do_not_change_a_figure(n):
    assert figure_keys(f"{n:,} units") == figure_keys(f"{n} units")


def test_fact_figures_meet_however_a_year_span_or_an_amount_is_written():
    span = {"2027", "2028", "2027-2028"}
    assert fact_figures("on sale in 2027-28") == fact_figures("in 2027 or 2028") == span
    assert fact_figures("between 2027 and 2028") == fact_figures("2027\u20132028") == span
    assert fact_figures("from 2025 to 2030") == {"2025", "2030", "2025-2030"}
    assert fact_figures("$1.2bn") == fact_figures("1,200 million dollars")
    # a year followed by another figure is no span, and calendar days are not figures
    assert fact_figures("in 2027 and 30 GWh") == {"2027", "30"}
    assert fact_figures("On June 16, 2024 it said 40%") == {"2024", "40"}


def test_marking_figures_are_spans_and_large_figures_only():
    assert marking_figures("Toyota aims for 2027-28 and a range of 1,000 km.") == {"2027-2028", "1000"}
    assert marking_figures("It charges from 10% to 80% in 2027 and makes 12 GWh.") == set()
    assert marking_figures("an investment of $1.4bn") == {"1.4e+09"}


# Names sharing beginnings, ends and word characters at their edges: where a tree of shared beginnings could
# part from an alternation of the names longest first.
_NAME_PARTS = st.text(alphabet="ab c.&-", min_size=1, max_size=6)


@given(st.lists(_NAME_PARTS, min_size=1, max_size=12), st.lists(st.sampled_from(["ab", "a", "b c", " ", ".", "x",
                                                                                "-", "abc", "c.", "&"]), max_size=30))
def test_the_tree_of_names_matches_what_the_longest_first_alternation_matches(names, pieces):
    import re

    from ssbrace.stories.features import _longest_first

    ordered = sorted(set(names), key=lambda n: (-len(n), n))
    plain = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in ordered) + r")(?![\w])")
    tree = re.compile(r"(?<![\w])" + _longest_first(set(names)) + r"(?![\w])")
    text = "".join(pieces) + " " + " ".join(names)
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_the_entity_index_finds_the_longest_name_at_each_place():
    from ssbrace.stories.features import entity_index

    index = entity_index("solid_state_batteries")
    found = index.find("Toyota Motor and Idemitsu Kosan agreed; LG Energy Solution and Samsung SDI did not.")
    assert {"Toyota", "Idemitsu Kosan", "LG Energy Solution", "Samsung SDI"} <= found
    assert index.find("Toyotas and idemitsu") == set()
