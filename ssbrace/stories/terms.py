"""A document's terms, counted once and kept, and TF-IDF weights from such counts.

Story placement weighs words by how rare they are among the store's recent documents (``ClusterConfig.
background``). Fitting a TF-IDF model on those texts for every batch costs the same 0.1-0.2 s whether the
batch holds one document or a hundred, and an empty store never pays it. Instead each document's terms are
counted once, when it is first needed, and the counts kept (``kb.stories_repo``, table ``story_terms``);
a batch then sums the kept counts of the recent documents (numpy over a few hundred thousand integers).

The weights are those of ``cluster.make_vectorizer`` fitted on the same documents: the same analyzer
(lowercase words of two or more letters and their pairs, English stop words out), sublinear term frequency,
smoothed IDF, unit rows. Terms are kept as 64-bit hashes of their text, so two terms would only merge on a
hash collision (about one in 10^10 for a window's 100,000 distinct terms).
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ssbrace.kb.stories_repo import DocRecord

# A term is counted at most this many times in one document (counts are kept as 16-bit integers; a
# sublinear term frequency hardly moves past it: 1 + ln(65535) = 12.1).
_MOST = np.iinfo(np.uint16).max


@dataclass(frozen=True)
class TermCounts:
    """One document's distinct terms (hashes, ascending) and how often each occurs."""

    terms: np.ndarray  # int64
    counts: np.ndarray  # uint16

    def to_bytes(self) -> bytes:
        return self.terms.astype("<i8").tobytes() + self.counts.astype("<u2").tobytes()

    @classmethod
    def from_bytes(cls, blob: bytes) -> TermCounts:
        n = len(blob) // 10
        terms = np.frombuffer(blob, dtype="<i8", count=n).astype(np.int64)
        counts = np.frombuffer(blob, dtype="<u2", count=n, offset=8 * n).astype(np.uint16)
        return cls(terms, counts)


@functools.cache
def _analyzer() -> Callable[[str], list[str]]:
    from ssbrace.stories.cluster import make_vectorizer

    return make_vectorizer().build_analyzer()


_SHORT = 48  # bytes: terms up to this long are hashed together, column by column (a long one alone)
_FNV_OFFSET, _FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)


def _hashes(terms: Sequence[str]) -> np.ndarray:
    """64-bit FNV-1a hashes of the terms' UTF-8 bytes, computed for all of them at once (a hash per term in
    Python cost more than reading the text); a term longer than ``_SHORT`` bytes gets a BLAKE2b hash instead,
    so that one 5 MB "word" does not widen every row."""
    encoded = [t.encode("utf-8", "surrogatepass") for t in terms]
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    short = lengths <= _SHORT
    # the short terms' bytes, one row each, zeros after the end
    kept = np.flatnonzero(short)
    sizes = lengths[kept]
    flat = np.frombuffer(b"".join(encoded[i] for i in kept), dtype=np.uint8)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    rows = np.zeros((len(encoded), _SHORT), dtype=np.uint8)
    rows[np.repeat(kept, sizes), np.arange(flat.size) - starts] = flat
    hashed = np.full(len(encoded), _FNV_OFFSET, dtype=np.uint64)
    for column in range(int(lengths[short].max(initial=0))):
        step = (hashed ^ rows[:, column]) * _FNV_PRIME
        hashed = np.where(lengths > column, step, hashed)
    for i in np.flatnonzero(~short):
        hashed[i] = np.frombuffer(hashlib.blake2b(encoded[i], digest_size=8).digest(), dtype="<u8")[0]
    return hashed.view(np.int64)


def count_terms(texts: Sequence[str]) -> list[TermCounts]:
    """The distinct terms of each text as ``make_vectorizer`` reads it, with their counts (the distinct terms of
    all of them hashed together: many texts at once cost less per text)."""
    analyze = _analyzer()
    counters = [Counter(analyze(t)) for t in texts]
    column: dict[str, int] = {}
    for counted in counters:
        for term in counted:
            column.setdefault(term, len(column))
    hashed = _hashes(list(column))
    out = []
    for counted in counters:
        at = np.fromiter((column[t] for t in counted), dtype=np.int64, count=len(counted))
        counts = np.minimum(np.fromiter(counted.values(), dtype=np.int64, count=len(counted)), _MOST)
        terms = hashed[at]
        order = np.argsort(terms, kind="stable")
        out.append(TermCounts(terms[order], counts[order].astype(np.uint16)))
    return out


def document_terms(docs: Sequence[DocRecord]) -> list[TermCounts]:
    """What placement compares of each document (``cluster.document_text``), counted."""
    from ssbrace.stories.cluster import document_text

    return count_terms([document_text(d) for d in docs])


def terms_digest(title: str | None, sha256: str | None) -> str:
    """What kept counts rest on: the document's title and the digest of its text (both read into
    ``document_text``); kept counts under another digest are counted again."""
    return hashlib.blake2b(f"{title or ''}\x00{sha256 or ''}".encode(), digest_size=8).hexdigest()


class KeptTermWeights:
    """TF-IDF weights whose document frequencies come from kept counts (``TermCounts``) of a corpus.

    ``weigh`` gives the unit rows of any counts, ``transform`` those of raw texts (``cluster.TextModel``);
    a term no document of the corpus holds has no column, as with a model fitted on the corpus."""

    def __init__(self, corpus: Sequence[TermCounts]) -> None:
        every = np.concatenate([c.terms for c in corpus]) if corpus else np.zeros(0, np.int64)
        # each document's terms are distinct, so a term's occurrences over the corpus are its document frequency
        self.vocabulary, columns, frequency = np.unique(every, return_inverse=True, return_counts=True)
        self.idf = np.log((1.0 + len(corpus)) / (1.0 + frequency)) + 1.0
        self._corpus = (corpus, columns)

    def weigh_corpus(self) -> sparse.csr_matrix:
        """``weigh`` of the corpus itself, whose columns are known already."""
        corpus, columns = self._corpus
        return self._rows(corpus, columns, np.ones(len(columns), dtype=bool))

    def weigh(self, counted: Sequence[TermCounts]) -> sparse.csr_matrix:
        """One unit row per document; the columns are the vocabulary's (ascending hashes). All rows are worked out
        together (a corpus of 300 documents is one numpy pass, not 300)."""
        size = len(self.vocabulary)
        if not counted:
            return sparse.csr_matrix((0, size))
        terms = np.concatenate([c.terms for c in counted])
        at = np.minimum(np.searchsorted(self.vocabulary, terms), max(size - 1, 0))
        return self._rows(counted, at, self.vocabulary[at] == terms if size else np.zeros(len(terms), dtype=bool))

    def _rows(self, counted: Sequence[TermCounts], at: np.ndarray, known: np.ndarray) -> sparse.csr_matrix:
        """Unit rows of ``counted`` whose terms lie in columns ``at``, those of them ``known`` to the corpus."""
        size = len(self.vocabulary)
        if not counted:
            return sparse.csr_matrix((0, size))
        counts = np.concatenate([c.counts for c in counted]).astype(np.float64)
        row = np.repeat(np.arange(len(counted)), [len(c.terms) for c in counted])
        columns, row = at[known], row[known]
        weight = (1.0 + np.log(counts[known])) * self.idf[columns]
        # each row's norm summed term after term, in the row's order (as ``normalize`` does row by row)
        norms = np.sqrt(np.bincount(row, weights=weight * weight, minlength=len(counted)))
        weight = weight / np.where(norms > 0, norms, 1.0)[row]
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=len(counted)))])
        return sparse.csr_matrix((weight, columns, indptr), shape=(len(counted), size))

    def transform(self, raw_documents: Iterable[str]) -> sparse.csr_matrix:
        return self.weigh(count_terms(list(raw_documents)))
