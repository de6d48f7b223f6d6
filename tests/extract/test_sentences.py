"""Sentence splitting: offsets, abbreviations, headlines, lists, the length cap."""

from hypothesis import given
from hypothesis import strategies as st

from ssbrace.extract.sentences import split_sentences

OPENERS = ["The", "It", "A"]
ABBREV = ["Co", "Corp", "Inc", "Ltd"]


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text, abbreviations=ABBREV, openers=OPENERS)]


def test_offsets_point_into_the_text():
    text = "Acme Corp. said it would grow. Output rose 3.5% in 2024!\nHeadline without stop\nNext line."
    for s in split_sentences(text, abbreviations=ABBREV, openers=OPENERS):
        assert text[s.start : s.end] == s.text


def test_abbreviations_and_decimals_do_not_split():
    assert texts("Toyota Motor Corp. said the U.S. market grew 3.5% last year.") == [
        "Toyota Motor Corp. said the U.S. market grew 3.5% last year."
    ]


def test_abbreviation_before_a_sentence_opener_splits():
    assert texts("The cells come from Solid Power Inc. The company is based in Colorado.") == [
        "The cells come from Solid Power Inc.",
        "The company is based in Colorado.",
    ]


def test_headline_and_list_items_are_sentences():
    text = "Korea trails Japan\n\n1. CATL - 36.8%\n2. BYD - 15.8%\n\nwrapped lines continue\nin lower case."
    assert texts(text) == ["Korea trails Japan", "1. CATL - 36.8%", "2. BYD - 15.8%",
                           "wrapped lines continue\nin lower case."]


def test_a_run_without_punctuation_is_chunked():
    text = " ".join(["word"] * 5000)
    parts = split_sentences(text, max_chars=500)
    assert len(parts) > 20
    assert all(len(p.text) <= 500 for p in parts)
    assert all(text[p.start : p.end] == p.text for p in parts)


def test_empty_and_blank_texts_have_no_sentences():
    assert split_sentences("") == []
    assert split_sentences(" \n\n\t ") == []


@given(st.text(max_size=400))
def test_any_text_gives_non_empty_sentences_with_true_offsets(text):
    for s in split_sentences(text, max_chars=120):
        assert s.text.strip()
        assert text[s.start : s.end] == s.text
