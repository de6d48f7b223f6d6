"""Sentences of hard-wrapped text: lines of a paragraph joined, headings, items and boilerplate apart."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssbrace.stories.boilerplate import DEFAULT_MATCHER, boilerplate_matcher
from ssbrace.stories.sentences import split_sentences, text_rules

WRAPPED = """\
# Northwind Cells opens a pilot line

Date: 2025-04-02
By Ana Lima

Northwind Cells said on Wednesday that its pilot line for solid-state cells in Porto had made its
first batch, and that it would spend 240 million euros on the next phase. The money comes from
Northwind and from a regional fund; the line should reach 2 GWh a year in 2027 or 2028.

Key figures
The company employs about 300 people at the site. Its chief executive, Rui
Costa, said the first customers would be makers of delivery vans.

- Batch yields were above 90% in March, the company said.
- A second line is planned but has no date
  and no budget yet.

> The cells passed the first safety tests, according to the
> company.

Sources: company statement; regional press.
Related: Northwind picks Porto for its factory
(c) 2025 Example Wire. All rights reserved.
"""


def texts(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in split_sentences(text)]


def test_wrapped_lines_of_a_paragraph_are_joined_into_whole_sentences():
    found = texts(WRAPPED)
    assert ("heading", "Northwind Cells opens a pilot line") in found
    assert (
        "text",
        "Northwind Cells said on Wednesday that its pilot line for solid-state cells in Porto had made its "
        "first batch, and that it would spend 240 million euros on the next phase.",
    ) in found
    # the wrap fell before a capitalised word ("Northwind") and before a digit-free name ("Costa")
    assert (
        "text",
        "The money comes from Northwind and from a regional fund; the line should reach 2 GWh a year in "
        "2027 or 2028.",
    ) in found
    assert (
        "text",
        "Its chief executive, Rui Costa, said the first customers would be makers of delivery vans.",
    ) in found
    # a short title line with no stop stays apart from the capitalised line under it
    assert ("text", "Key figures") in found
    assert ("item", "Batch yields were above 90% in March, the company said.") in found
    assert ("item", "A second line is planned but has no date and no budget yet.") in found
    assert ("text", "The cells passed the first safety tests, according to the company.") in found
    # no sentence is a fragment that starts in lower case
    assert not [t for _, t in found if t[:1].islower()]


def test_boilerplate_lines_are_marked_and_never_joined_to_news():
    kinds = {t: k for k, t in texts(WRAPPED)}
    assert kinds["Date: 2025-04-02"] == "boilerplate"
    assert kinds["By Ana Lima"] == "boilerplate"
    assert kinds["Sources: company statement; regional press."] == "boilerplate"
    assert kinds["Related: Northwind picks Porto for its factory"] == "boilerplate"
    assert kinds["(c) 2025 Example Wire. All rights reserved."] == "boilerplate"
    assert all("Sources:" not in t for t, k in kinds.items() if k != "boilerplate")


def test_offsets_point_at_the_sentence_in_the_original_text():
    for s in split_sentences(WRAPPED):
        assert " ".join(WRAPPED[s.start : s.end].replace("\n> ", " ").split()) == s.text


def test_a_word_broken_at_its_hyphen_joins_without_a_space():
    text = "Toyota plans all-solid-\nstate cells for its cars, the company said.\n"
    assert [s.text for s in split_sentences(text)] == [
        "Toyota plans all-solid-state cells for its cars, the company said."
    ]


def test_unwrapped_paragraphs_one_per_line_still_split():
    text = "First paragraph ends here. It has two sentences.\nSecond paragraph is one line.\n"
    assert [s.text for s in split_sentences(text)] == [
        "First paragraph ends here.",
        "It has two sentences.",
        "Second paragraph is one line.",
    ]


def test_the_domain_pack_abbreviations_apply():
    text = "Solid Power Inc. said the line\nwould open. The plant is in Colorado."
    sentences = [s.text for s in split_sentences(text, text_rules("solid_state_batteries"))]
    assert sentences == ["Solid Power Inc. said the line would open.", "The plant is in Colorado."]


@pytest.mark.parametrize(
    "line",
    [
        "Sources: METI announcement (September 2024); Reuters; The Japan Times.",
        "Source: company filing",
        "- Sources: wire reports",
        "By Jane Roe",
        "By Jane Roe and Li Wei, Staff Writers",
        "By Mariko Ito in Tokyo",
        "Related: Toyota names a partner",
        "**Photo:** a pouch cell on a test bench",
        "Photo credit - the company",
        "Read more about solid-state batteries",
        "Published: 2024-01-03",
        "Date: 15 January 2024",
        "Copyright 2025 Example Wire",
        "\u00a9 Example Wire 2025",
        "(Reporting by Jane Roe; Editing by Li Wei)",
        "Updated: 3 March 2025 10:00",
    ],
)
def test_boilerplate_lines_are_recognised(line):
    assert DEFAULT_MATCHER(line)


@pytest.mark.parametrize(
    "sentence",
    [
        "By 2030 the plant will make 20 GWh of cells a year.",
        "By March, Toyota will have a second pilot line running.",
        "By Toyota's own count, the cells charge in ten minutes.",
        "Sources close to the company said the plan was on track.",
        "Share prices rose 5% after the announcement.",
        "Copyright disputes over electrolyte patents are growing.",
        "More than 1,000 patent families are held by one company.",
        "Related companies in the group supply the cathode material.",
    ],
)
def test_news_sentences_are_not_boilerplate(sentence):
    assert not DEFAULT_MATCHER(sentence)


def test_a_domain_pack_can_add_labels():
    assert not DEFAULT_MATCHER("Sidebar: how the cells are made")
    assert boilerplate_matcher(["Sidebar"])("Sidebar: how the cells are made")


@given(st.one_of(st.text(max_size=300), st.text(alphabet=st.sampled_from("ab C.\n-#>*1 \t?|"), max_size=300)))
def test_sentences_always_come_from_the_text_in_order(text):
    for s in split_sentences(text):
        assert s.text and s.text == s.text.strip()
        assert 0 <= s.start < s.end <= len(text)
        # every character of the sentence is found, in order, in its span of the original
        span = iter(text[s.start : s.end])
        assert all(ch in span for ch in s.text if not ch.isspace())
