"""The near-duplicate index kept in the store: same answers as the in-memory one, nothing loaded up front."""

from __future__ import annotations

import dataclasses
import hashlib
import random

from sqlalchemy import delete, event, func, select

from ssbrace.documents.dedup import NearDuplicateIndex, StoredNearDuplicates, minhash_of, to_bytes
from ssbrace.kb import documents_repo as repo
from ssbrace.kb.tables import Document, DocumentBand
from ssbrace.pipeline import ingest_documents
from ssbrace.settings import Settings

WORDS = ("cell plant sulfide oxide line pilot anode cathode capacity target sample module pack supply deal "
         "factory energy density charge cost lithium separator coating press kiln dry room yield").split()


def _store_bare(session, location: str, text: str, signature, match) -> int:  # type: ignore[no-untyped-def]
    """A bare document row with its signature: what the index reads, without ingestion around it."""
    row = Document(location=location, text=text, sha256=hashlib.sha256(location.encode()).hexdigest(),
                   minhash=to_bytes(signature), word_count=0, duplicate_of=match[0] if match else None)
    session.add(row)
    session.flush()
    return row.id


def _texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    base = [" ".join(rng.choice(WORDS) for _ in range(120)) for _ in range(n)]
    # Every third text is an edited copy of an earlier one: a near duplicate to find.
    for i in range(2, n, 3):
        words = base[i - 2].split()
        words[rng.randrange(len(words))] = "changed"
        base[i] = " ".join(words)
    return base


def test_same_best_match_as_the_in_memory_index(store):
    stored = StoredNearDuplicates(0.8)
    memory = NearDuplicateIndex(0.8)
    with store.session() as session:
        for i, text in enumerate(_texts(30)):
            signature = minhash_of(text)
            expected = memory.best_match(signature)
            assert stored.best_match(repo.Bands(session), signature) == expected, i
            doc_id = _store_bare(session, f"t:{i}", text, signature, expected)
            if expected is None:
                memory.add(doc_id, signature)
                stored.add(repo.Bands(session), doc_id, signature)


def _file(folder, name, text):  # type: ignore[no-untyped-def]
    path = folder / name
    path.write_text(text)
    return path


def test_an_older_store_is_banded_once_then_near_duplicates_are_found(store, tmp_path):
    settings = dataclasses.replace(Settings(), db=store.url)
    text = _texts(1)[0]
    first = ingest_documents(store, [str(_file(tmp_path, "a.txt", text))], settings)
    assert first.counts()["new"] == 1
    with store.session() as session:  # a store from before the index: no bands at all
        session.execute(delete(DocumentBand))
    edited = text.replace(text.split()[5], "different", 1)
    second = ingest_documents(store, [str(_file(tmp_path, "b.txt", edited))], settings)
    assert second.counts()["near_duplicate"] == 1
    with store.session() as session:
        banded = session.scalar(select(func.count(func.distinct(DocumentBand.document_id))))
    assert banded == 1  # the original, banded again; the near duplicate is not indexed


def _statements_of(store, action) -> int:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", listener)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", listener)
    return len(statements)


def test_a_lookup_runs_the_same_statements_whatever_the_store_holds(store):
    stored = StoredNearDuplicates(0.8)
    probe = minhash_of(" ".join(WORDS * 4))
    counts = []
    with store.session() as session:
        for size in (10, 200):
            for i, text in enumerate(_texts(size, seed=size)):
                signature = minhash_of(text + f" unique{size}x{i}")
                doc_id = _store_bare(session, f"t:{size}:{i}", text + f"{size}{i}", signature, None)
                stored.add(repo.Bands(session), doc_id, signature)
            counts.append(_statements_of(store, lambda: stored.best_match(repo.Bands(session), probe)))
    assert counts[0] == counts[1] == 1
