"""A brief per story: a headline and 3 to 8 bullets, each citing the documents it rests on.

Bullets are sentences taken from the story's documents (never written anew), chosen by maximal
marginal relevance: central to the story, backed by a claim, repeated by other outlets, and unlike
the bullets already chosen. They are ordered what happened, then the figures, then the context.
A bullet is kept only if every number in it appears in a document it cites.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ssbrace.errors import InputError
from ssbrace.kb import stories_repo as repo
from ssbrace.kb.stories_repo import ClaimRecord, DocRecord, StoryRecord
from ssbrace.stories.cluster import headline_for
from ssbrace.stories.features import Sentence, figure_keys, split_sentences, telling_figures

MIN_BULLETS, MAX_BULLETS = 3, 8
# Relevance of a sentence: centrality plus these bonuses.
CLAIM_BONUS = 0.20  # the sentence states a claim the extractor found
FIGURE_BONUS = 0.05  # it holds a figure but no claim was stored for it
LEAD_BONUS = 0.10  # it opens its article, where news writing puts the event (half for the second)
SUPPORT_BONUS = 0.10  # other outlets say the same (scaled by how many, up to three)
MMR_LAMBDA = 0.7  # relevance against novelty
REDUNDANT = 0.35  # a sentence this close to a chosen bullet says the same thing
SAME_DATES = 0.1  # ... or this close, when all its numbers and years are in the chosen bullets
SUPPORTS = 0.45  # a document with a sentence this close to a bullet backs it
STOP_RATIO = 0.6  # past the minimum, stop when relevance falls below this share of the best

_HEADER_LINE = re.compile(r"^(title|date|published|posted|author|by|source|publisher)\s*:", re.I)
# "TOKYO, June 16 (Jiji Press)--", "SEOUL (Reuters) -": a dateline says where, not what
_DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]{2,40}(?:,\s*[A-Z][a-z]{2,9}\.?\s+\d{1,2})?\s*(?:\([^)]{1,40}\))?\s*(?:--|-|\u2014|\u2013)\s*"
)


@dataclass
class Bullet:
    text: str
    citations: list[int]  # document ids, oldest first
    section: str  # what | figures | context
    origin: int  # the document the sentence was taken from
    has_claim: bool = False
    relevance: float = 0.0


@dataclass
class SourceRef:
    document_id: int
    title: str | None
    publisher: str | None
    published: str | None
    link: str


@dataclass
class Brief:
    story_id: int
    headline: str
    bullets: list[Bullet]
    sources: list[SourceRef]
    source_count: int  # distinct publishers
    first_date: str | None
    last_date: str | None
    dropped: list[str] = field(default_factory=list)  # bullets removed by the number check

    @property
    def based_on(self) -> str:
        n = self.source_count
        return f"Summary based on {n} source{'s' if n != 1 else ''}"

    @property
    def version(self) -> str:
        """A short hash of what the brief says; it changes whenever a reader would see a change."""
        payload = json.dumps(
            [self.headline, [(b.text, b.citations) for b in self.bullets], self.source_count], sort_keys=True
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def citation_number(self, document_id: int) -> int:
        """The 1-based number of a document in the list of sources."""
        return next(i for i, s in enumerate(self.sources, 1) if s.document_id == document_id)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = self.version
        data["based_on"] = self.based_on
        return data


def publisher_key(doc: DocRecord) -> str:
    """Who published a document: its publisher, else its URL's host, else the document itself."""
    if doc.publisher and doc.publisher.strip():
        return " ".join(doc.publisher.split()).casefold()
    if doc.url:
        host = urlsplit(doc.url).hostname or ""
        if host:
            return host.removeprefix("www.").casefold()
    return f"document:{doc.id}"


@dataclass
class _Candidate:
    doc: DocRecord
    sentence: Sentence
    text: str
    rank: int  # position among the document's usable sentences
    has_claim: bool
    has_figure: bool


def _clean(sentence: str) -> str:
    return " ".join(_DATELINE.sub("", sentence, count=1).split())


def _candidates(docs: list[DocRecord], claims: list[ClaimRecord]) -> list[_Candidate]:
    by_doc: dict[int, list[ClaimRecord]] = {}
    for claim in claims:
        by_doc.setdefault(claim.document_id, []).append(claim)
    found = []
    for doc in docs:
        title = " ".join((doc.title or "").split()).casefold()
        rank = 0
        for sentence in split_sentences(doc.text):
            if _HEADER_LINE.match(sentence.text):
                continue
            text = _clean(sentence.text)
            words = len(text.split())
            if words < 6 or words > 70 or text.casefold() == title or text[-1:] not in ".!?\"'\u201d":
                continue
            has_claim = any(_overlaps(c, sentence) for c in by_doc.get(doc.id, ()))
            has_figure = bool(telling_figures(text))
            found.append(_Candidate(doc, sentence, text, rank, has_claim, has_figure))
            rank += 1
    return found


def _overlaps(claim: ClaimRecord, sentence: Sentence) -> bool:
    """Whether a stored claim's evidence lies in this sentence (by offsets, else by its text)."""
    if claim.end > claim.start and claim.start < sentence.end and claim.end > sentence.start:
        return True
    evidence = " ".join(claim.sentence.split())
    return bool(evidence) and (evidence in sentence.text or sentence.text in evidence)


def _unit_rows(matrix: Any) -> np.ndarray:
    dense = np.asarray(matrix.toarray(), dtype=np.float64)
    norms = np.linalg.norm(dense, axis=1)
    norms[norms == 0] = 1.0
    return dense / norms[:, None]


def numbers_backed(text: str, cited: list[DocRecord]) -> bool:
    """The number check: every number in ``text`` appears in at least one cited document."""
    needed = figure_keys(text)
    if not needed:
        return True
    present: set[str] = set()
    for doc in cited:
        present |= figure_keys(f"{doc.title or ''}\n{doc.text}")
    return needed <= present


def build_brief(session: Any, story_id: int) -> Brief:
    """The brief of one story.

    Raises:
        InputError: no story with this id.
    """
    story = repo.get_story(session, story_id)
    if story is None:
        raise InputError(f"no story with id {story_id}")
    docs = repo.get_documents(session, story.document_ids)
    claims = repo.claims_for_documents(session, story.document_ids)
    return compose_brief(story, docs, claims)


def compose_brief(story: StoryRecord, docs: list[DocRecord], claims: list[ClaimRecord]) -> Brief:
    """The brief of a story from its documents and their claims (pure: no store)."""
    docs = sorted(docs, key=lambda d: (d.day is None, d.day, d.id))
    headline = headline_for(docs) if docs else story.headline
    sources = [
        SourceRef(d.id, d.title, d.publisher, d.published.isoformat() if d.published else None, d.link)
        for d in docs
    ]
    publishers = {publisher_key(d) for d in docs}
    brief = Brief(
        story_id=story.id,
        headline=headline,
        bullets=[],
        sources=sources,
        source_count=len(publishers),
        first_date=story.first_date.isoformat() if story.first_date else None,
        last_date=story.last_date.isoformat() if story.last_date else None,
    )
    candidates = _candidates(docs, claims)
    if not candidates:
        return brief
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        vectors = _unit_rows(vectorizer.fit_transform([c.text for c in candidates]))
    except ValueError:  # only stop words: nothing to weigh
        vectors = np.zeros((len(candidates), 1))
    # the story's centre: every document weighs the same, however long it is
    doc_means = []
    for doc in docs:
        rows = [i for i, c in enumerate(candidates) if c.doc.id == doc.id]
        if rows:
            doc_means.append(vectors[rows].mean(axis=0))
    centre = np.mean(doc_means, axis=0)
    centre = centre / (np.linalg.norm(centre) or 1.0)
    similarity = vectors @ vectors.T
    relevance = []
    for i, cand in enumerate(candidates):
        others = {
            publisher_key(candidates[j].doc)
            for j in range(len(candidates))
            if candidates[j].doc.id != cand.doc.id and similarity[i, j] >= SUPPORTS
        }
        others.discard(publisher_key(cand.doc))
        score = float(vectors[i] @ centre)
        score += CLAIM_BONUS if cand.has_claim else (FIGURE_BONUS if cand.has_figure else 0.0)
        score += LEAD_BONUS if cand.rank == 0 else (LEAD_BONUS / 2 if cand.rank == 1 else 0.0)
        score += SUPPORT_BONUS * min(len(others), 3) / 3
        relevance.append(score)

    chosen = _select(
        relevance,
        similarity,
        [telling_figures(c.text) for c in candidates],
        [figure_keys(c.text) for c in candidates],
    )
    for i in chosen:
        cand = candidates[i]
        cited = _citations(i, cand, candidates, similarity)
        cited_docs = [d for d in docs if d.id in cited]
        if not numbers_backed(cand.text, cited_docs):
            brief.dropped.append(cand.text)
            continue
        brief.bullets.append(
            Bullet(
                text=cand.text,
                citations=[d.id for d in cited_docs],
                section="context",
                origin=cand.doc.id,
                has_claim=cand.has_claim,
                relevance=round(relevance[i], 4),
            )
        )
    _order(brief, {i: candidates[i] for i in chosen})
    return brief


def _select(
    relevance: list[float], similarity: np.ndarray, numbers: list[set[str]], all_numbers: list[set[str]]
) -> list[int]:
    """Maximal marginal relevance: good sentences that do not repeat the ones already chosen.

    A sentence whose telling figures are all in bullets already chosen repeats them, however it is
    worded; one whose numbers (years included) are all there repeats them when it also reads alike.
    """
    order = sorted(range(len(relevance)), key=lambda i: (-relevance[i], i))
    best = relevance[order[0]]
    chosen: list[int] = []
    covered: set[str] = set()
    covered_all: set[str] = set()
    while len(chosen) < MAX_BULLETS:
        pick, pick_score = None, -np.inf
        for i in order:
            if i in chosen or (numbers[i] and numbers[i] <= covered):
                continue
            overlap = max((similarity[i, j] for j in chosen), default=0.0)
            if overlap >= REDUNDANT or (
                all_numbers[i] and all_numbers[i] <= covered_all and overlap >= SAME_DATES
            ):
                continue
            score = MMR_LAMBDA * relevance[i] - (1 - MMR_LAMBDA) * overlap
            if score > pick_score:
                pick, pick_score = i, score
        if pick is None:
            break
        if len(chosen) >= MIN_BULLETS and relevance[pick] < STOP_RATIO * best:
            break
        chosen.append(pick)
        covered |= numbers[pick]
        covered_all |= all_numbers[pick]
    return chosen


def _citations(i: int, cand: _Candidate, candidates: list[_Candidate], similarity: np.ndarray) -> set[int]:
    """The bullet's own document, and every document that says the same with the same numbers.

    A document says the same when one of its sentences is close to the bullet, or, for a bullet
    with telling figures, when it states all of them in a sentence on the same subject.
    """
    cited = {cand.doc.id}
    needed = figure_keys(cand.text)
    telling = telling_figures(cand.text)
    closest: dict[int, float] = {}
    for j, other in enumerate(candidates):
        closest[other.doc.id] = max(closest.get(other.doc.id, 0.0), float(similarity[i, j]))
    for other in {c.doc.id: c.doc for c in candidates}.values():
        if other.id in cited:
            continue
        near = closest[other.id]
        if near < SUPPORTS and not (telling and near >= SUPPORTS / 2):
            continue
        if needed <= figure_keys(f"{other.title or ''}\n{other.text}"):
            cited.add(other.id)
    return cited


def _order(brief: Brief, chosen: dict[int, _Candidate]) -> None:
    """What happened first (the best opening sentence), then the figures, then the context."""
    if not brief.bullets:
        return
    by_text = {c.text: c for c in chosen.values()}
    leads = [b for b in brief.bullets if by_text[b.text].rank == 0] or [
        b for b in brief.bullets if by_text[b.text].rank == 1
    ]
    # the opening sentence most outlets back tells what happened; a follow-up's opening does not
    what = max(leads or brief.bullets, key=lambda b: (len(b.citations), b.relevance))
    what.section = "what"
    for bullet in brief.bullets:
        if bullet is not what:
            cand = by_text[bullet.text]
            bullet.section = "figures" if (cand.has_claim or cand.has_figure) else "context"
    rank = {"what": 0, "figures": 1, "context": 2}
    brief.bullets.sort(key=lambda b: (rank[b.section], -b.relevance))
