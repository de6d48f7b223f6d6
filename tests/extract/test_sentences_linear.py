"""Sentence splitting stays linear on long runs of spaces and punctuation, and keeps its invariants."""

from __future__ import annotations

import re
import time

from hypothesis import given
from hypothesis import strategies as st

from ssbrace.extract import sentences
from ssbrace.extract.sentences import split_sentences

_OLD_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")


@given(st.text(alphabet=st.sampled_from(list("a. !?…\"')]\n")), max_size=40))
def test_boundaries_match_the_old_pattern(text):
    old = [(m.start(), m.end()) for m in _OLD_BOUNDARY.finditer(text)]
    assert [(m.start(), m.end()) for m in sentences._BOUNDARY.finditer(text)] == old


@given(st.text(max_size=400))
def test_sentences_are_non_empty_ordered_slices(text):
    last_end = 0
    for sentence in split_sentences(text):
        assert sentence.text.strip() and sentence.text == text[sentence.start : sentence.end]
        assert sentence.start >= last_end
        last_end = sentence.end


def test_hostile_runs_split_quickly():
    for text in ("a" + " " * 60_000 + "b. c", "a" + "." * 60_000 + "b", "1" * 200_000, "x " * 30_000):
        start = time.perf_counter()
        split_sentences(text)
        assert time.perf_counter() - start < 2.0, text[:10]
