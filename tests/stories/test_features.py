from hypothesis import given
from hypothesis import strategies as st

from ssbrace.stories.features import figure_keys, split_sentences, strip_header_lines, telling_figures


def test_sentences_keep_offsets_and_abbreviations():
    text = "Acme Inc. said on Monday it will build a plant. The U.S. plant costs $2bn!\nA new paragraph here"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Acme Inc. said on Monday it will build a plant.",
        "The U.S. plant costs $2bn!",
        "A new paragraph here",
    ]
    for s in sentences:
        assert text[s.start : s.end] == s.text


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


@given(st.text(max_size=300))
def test_sentence_offsets_always_point_into_the_text(text):
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.text.strip() == s.text and s.text


@given(st.integers(min_value=10, max_value=10**9))
def test_thousands_separators_do_not_change_a_figure(n):
    assert figure_keys(f"{n:,} units") == figure_keys(f"{n} units")
