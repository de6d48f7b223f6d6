"""Normalisation, shingles, signatures and the near-duplicate index."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ssbrace.documents.dedup import (
    NearDuplicateIndex,
    from_bytes,
    minhash_of,
    normalise,
    sha256_of,
    shingles,
    to_bytes,
)

ARTICLE = (
    "Sulfide electrolytes conduct lithium ions nearly as well as liquids and can be pressed into dense "
    "layers at room temperature. Their weakness is moisture, which releases a toxic gas and forces "
    "factories to run large dry rooms. Oxide ceramics avoid that problem but are brittle and need high "
    "temperature sintering. Polymer electrolytes are easy to process yet conduct well only when warm. "
    "Many developers now blend approaches to combine the strengths of several materials in one cell."
)


@given(st.text())
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


@given(st.text(), st.sampled_from([" ", "\n", "\t  ", "\u00a0"]))
def test_whitespace_and_case_do_not_change_the_hash(text, space):
    variant = space + text.upper().replace(" ", space + space) + space
    assert sha256_of(variant) == sha256_of(text.upper())


def test_typographic_variants_share_a_hash():
    assert sha256_of("Toyota\u2019s \u201csolid\u201d cell \u2014 2027") == sha256_of(
        'toyota\'s "solid" cell - 2027'
    )


def test_different_texts_differ():
    assert sha256_of(ARTICLE) != sha256_of(ARTICLE + " One more sentence.")


@given(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), min_size=0, max_size=40))
def test_shingle_count(words):
    got = shingles(" ".join(words), size=5)
    if not words:
        assert got == set()
    elif len(words) < 5:
        assert got == {" ".join(words)}
    else:
        assert 1 <= len(got) <= len(words) - 4
        assert all(len(s.split()) == 5 for s in got)


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_signature_round_trip(text):
    signature = minhash_of(text)
    assert from_bytes(to_bytes(signature)).jaccard(signature) == 1.0


def test_index_finds_near_duplicates_and_ignores_others():
    index = NearDuplicateIndex(threshold=0.8)
    index.add(1, minhash_of(ARTICLE))
    index.add(
        2, minhash_of("A completely different note about sodium-ion cells and their cost in grid storage.")
    )
    edited = ARTICLE.replace("in one cell.", "in one cell, as several teams reported this year.")
    match = index.best_match(minhash_of(edited))
    assert match is not None and match[0] == 1 and 0.8 <= match[1] < 1.0
    assert (
        index.best_match(minhash_of("Nothing in common with the indexed texts at all, only other words."))
        is None
    )


def test_index_rebuilt_from_bytes_matches():
    index = NearDuplicateIndex.build([(7, to_bytes(minhash_of(ARTICLE)))], threshold=0.8)
    assert len(index) == 1
    assert index.best_match(minhash_of(ARTICLE)) == (7, 1.0)
