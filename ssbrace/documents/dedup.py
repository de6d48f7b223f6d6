"""Duplicate detection: sha256 of the normalised text (exact), MinHash LSH over word shingles (near)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 5
# Stored signatures are only comparable under the same permutation scheme and seed; fix both.
SCHEME = "affine32"
SEED = 1

# Typographic variants that should not make two copies of a text differ.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen
        "\u200b": None,  # zero-width space
        "\ufeff": None,
    }
)
_SPACE = re.compile(r"\s+", re.U)
_WORD = re.compile(r"\w+", re.U)


def normalise(text: str) -> str:
    """NFKC, case-folded, typographic quotes and dashes folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_FOLD).casefold()
    return _SPACE.sub(" ", text).strip()


def sha256_of(text: str) -> str:
    """The exact-duplicate key: sha256 of the normalised text."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Word shingles of the normalised text; a text shorter than one shingle is one shingle."""
    words = _WORD.findall(normalise(text))
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash_of(text: str, num_perm: int = NUM_PERM) -> MinHash:
    """A MinHash signature of the text's word shingles."""
    signature = MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME)
    signature.update_batch([s.encode("utf-8") for s in shingles(text)])
    return signature


def to_bytes(signature: MinHash) -> bytes:
    return np.asarray(signature.hashvalues, dtype=np.uint64).tobytes()


@cache
def _permutations(num_perm: int) -> np.ndarray:
    # The same for every signature of one size: computing them per signature was most of the time it
    # took to load a store's signatures into the near-duplicate index.
    return MinHash(num_perm=num_perm, seed=SEED, scheme=SCHEME).permutations


def from_bytes(data: bytes) -> MinHash:
    values = np.frombuffer(data, dtype=np.uint64).copy()
    return MinHash(num_perm=len(values), seed=SEED, hashvalues=values, scheme=SCHEME,
                   permutations=_permutations(len(values)))


class NearDuplicateIndex:
    """An in-memory LSH index of the signatures of stored originals."""

    def __init__(self, threshold: float, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._signatures: dict[int, MinHash] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    @classmethod
    def build(cls, items: Iterable[tuple[int, bytes]], threshold: float) -> NearDuplicateIndex:
        """Rebuild the index from stored (document id, signature bytes) pairs."""
        index = cls(threshold)
        for doc_id, data in items:
            signature = from_bytes(data)
            if len(signature.hashvalues) == index.num_perm:
                index.add(doc_id, signature)
        return index

    def add(self, doc_id: int, signature: MinHash) -> None:
        if doc_id in self._signatures:
            return
        self._lsh.insert(doc_id, signature)
        self._signatures[doc_id] = signature

    def best_match(self, signature: MinHash) -> tuple[int, float] | None:
        """The most similar indexed document at or above the threshold, with its estimated Jaccard."""
        best: tuple[int, float] | None = None
        for doc_id in self._lsh.query(signature):
            similarity = float(signature.jaccard(self._signatures[doc_id]))
            # LSH returns candidates; the estimate decides, ties going to the older document.
            if similarity >= self.threshold and (
                best is None or similarity > best[1] or (similarity == best[1] and doc_id < best[0])
            ):
                best = (doc_id, similarity)
        return best


@dataclass(frozen=True)
class Banding:
    """How signatures are cut into LSH bands for one threshold: datasketch's own choice of bands x rows."""

    tag: str
    ranges: tuple[tuple[int, int], ...]


@cache
def banding(threshold: float, num_perm: int = NUM_PERM) -> Banding:
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return Banding(tag=f"{lsh.b}x{lsh.r}", ranges=tuple((int(a), int(b)) for a, b in lsh.hashranges))


def band_keys(signature: MinHash, cut: Banding) -> list[tuple[int, bytes]]:
    """(band number, key) of each band: two signatures share a band when those rows are all equal."""
    values = np.asarray(signature.hashvalues, dtype=np.uint64)
    return [(band, hashlib.blake2b(values[a:b].tobytes(), digest_size=12).digest())
            for band, (a, b) in enumerate(cut.ranges)]


class BandStore(Protocol):
    """Where the bands of stored originals are kept: the store provides it (``kb.documents_repo.Bands``)."""

    def originals_without_bands(self, tag: str) -> Iterable[tuple[int, bytes]]:
        """(id, MinHash bytes) of the originals not yet banded with ``tag``."""
        ...

    def add_bands(self, document_id: int, tag: str, keys: list[tuple[int, bytes]]) -> None:
        """Index an original's bands."""
        ...

    def band_candidates(self, tag: str, keys: list[tuple[int, bytes]]) -> Iterable[tuple[int, bytes]]:
        """(id, MinHash bytes) of the originals sharing at least one band with these keys."""
        ...


class StoredNearDuplicates:
    """The near-duplicate index kept in the store (table document_bands): cost per lookup does not grow
    with the number of stored documents, and nothing is loaded up front.

    Same answers as ``NearDuplicateIndex`` over the same originals: LSH candidates, then the estimated
    Jaccard decides, ties going to the older document. The bands are read and written through the
    ``BandStore`` the caller passes in; this class never opens the store itself.
    """

    def __init__(self, threshold: float, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self.cut = banding(threshold, num_perm)

    def fill_missing(self, bands: BandStore) -> int:
        """Band the stored originals that have no bands of this banding yet (an older store, another
        threshold); returns how many. A no-op once done: one indexed count."""
        added = 0
        for doc_id, data in bands.originals_without_bands(self.cut.tag):
            signature = from_bytes(data)
            if len(signature.hashvalues) == self.num_perm:
                bands.add_bands(doc_id, self.cut.tag, band_keys(signature, self.cut))
                added += 1
        return added

    def add(self, bands: BandStore, doc_id: int, signature: MinHash) -> None:
        bands.add_bands(doc_id, self.cut.tag, band_keys(signature, self.cut))

    def best_match(self, bands: BandStore, signature: MinHash) -> tuple[int, float] | None:
        """The most similar stored original at or above the threshold, with its estimated Jaccard."""
        best: tuple[int, float] | None = None
        for doc_id, data in bands.band_candidates(self.cut.tag, band_keys(signature, self.cut)):
            other = from_bytes(data)
            if len(other.hashvalues) != self.num_perm:
                continue
            similarity = float(signature.jaccard(other))
            if similarity >= self.threshold and (
                best is None or similarity > best[1] or (similarity == best[1] and doc_id < best[0])
            ):
                best = (doc_id, similarity)
        return best
