"""Grouping documents that report the same event into stories, one document at a time.

A new document joins the open story it is most like, or starts one. "Like" is TF-IDF cosine
similarity of the texts, reinforced by shared entities and shared figures, among stories whose
dates lie within a window of the document's date. Entities and figures only reinforce: two texts
that do not read alike never merge, so two announcements by the same company stay apart. A near
duplicate joins its original's story. The result depends only on the store and the order of arrival.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ssbrace.errors import InputError
from ssbrace.kb import stories_repo as repo
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.stories_repo import DocRecord
from ssbrace.stories.features import (
    EntityIndex,
    entity_index,
    resolve_domain,
    strip_header_lines,
    telling_figures,
)
from ssbrace.stories.sentences import split_sentences

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class ClusterConfig:
    """The knobs of clustering; the defaults were chosen on tests/data/stories (bench/stories.py)."""

    window_days: int = 7  # coverage of one event rarely spreads over more than a week
    threshold: float = 0.20  # combined score a document needs to join a story
    min_text: float = 0.08  # below this text similarity, entities and figures cannot merge
    entity_weight: float = 0.12
    figure_weight: float = 0.12
    disagreement: float = 1.0  # 2+ figures on each side, none shared: minus this many figure weights
    background: int = 300  # recent documents that steady the term weights of a small window
    # Bounds that keep the cost of placing one document independent of the store's size: the most
    # recently active stories of the window, and each story's latest members, are compared.
    max_stories: int = 60
    max_members: int = 8


DEFAULT_CONFIG = ClusterConfig()


_domain = resolve_domain


def make_vectorizer() -> TfidfVectorizer:
    """The TF-IDF model of story texts: words and word pairs, English stop words out, damped counts."""
    return TfidfVectorizer(
        lowercase=True,
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        min_df=1,
        dtype=np.float64,
    )


def document_text(doc: DocRecord) -> str:
    """What is compared: the title (twice, it names the event) and the text."""
    title = doc.title or ""
    return f"{title}\n{title}\n{strip_header_lines(doc.text)}"


def headline_for(docs: Sequence[DocRecord]) -> str:
    """The title of the earliest document that has one, else the opening of the earliest text."""
    ordered = sorted(docs, key=lambda d: (d.day or date.max, d.id))
    for doc in ordered:
        if doc.title and doc.title.strip():
            return " ".join(doc.title.split())
    for doc in ordered:
        # the opening sentence, not a byline or a "Date:" line
        sentences = [s for s in split_sentences(doc.text) if s.kind != "boilerplate"]
        if sentences:
            first = sentences[0].text
            return first if len(first) <= 120 else first[:117].rstrip() + "..."
    return "(untitled)"


@dataclass(frozen=True)
class _Profile:
    entities: frozenset[str]
    figures: frozenset[str]


# What a document's own text names and states, by (entity index, document id, hash of title and text). A
# stored text never changes, so within one process (a batch, the web server) placing one more document
# does not scan the texts of the documents it is compared with again.
_TEXT_PROFILES: OrderedDict[tuple[int, int, int], _Profile] = OrderedDict()
_TEXT_PROFILES_SIZE = 50_000


def _text_profile(doc: DocRecord, index: EntityIndex) -> _Profile:
    key = (id(index), doc.id, hash((doc.title, doc.text)))
    found = _TEXT_PROFILES.get(key)
    if found is not None:
        _TEXT_PROFILES.move_to_end(key)
        return found
    body = f"{doc.title or ''}\n{strip_header_lines(doc.text)}"
    found = _Profile(entities=frozenset(index.find(body)), figures=frozenset(telling_figures(body)))
    _TEXT_PROFILES[key] = found
    if len(_TEXT_PROFILES) > _TEXT_PROFILES_SIZE:
        _TEXT_PROFILES.popitem(last=False)
    return found


def _profiles(
    docs: Sequence[DocRecord], claims: Sequence[ClaimRecord], index: EntityIndex
) -> dict[int, _Profile]:
    named: dict[int, set[str]] = {d.id: set() for d in docs}
    for claim in claims:
        if claim.document_id in named:
            named[claim.document_id].add(claim.subject)
            if claim.object:
                named[claim.document_id].add(claim.object)
    profiles = {}
    for d in docs:
        own = _text_profile(d, index)
        profiles[d.id] = _Profile(entities=own.entities | named[d.id], figures=own.figures)
    return profiles


@dataclass(frozen=True)
class Match:
    story_id: int
    score: float
    text: float
    entities: float
    figures: float


def score_stories(
    doc: DocRecord,
    stories: Sequence[repo.StoryRecord],
    docs: dict[int, DocRecord],
    vectors: dict[int, np.ndarray],
    profiles: dict[int, _Profile],
    config: ClusterConfig,
) -> list[Match]:
    """How well a document fits each candidate story, best first (ties: the older story)."""
    mine = profiles[doc.id]
    matches = []
    for story in stories:
        members = [m for m in story.document_ids if m in docs]
        if not members:
            continue
        text = max(float(vectors[doc.id] @ vectors[m]) for m in members)
        if text < config.min_text:
            continue
        their_entities = frozenset().union(*(profiles[m].entities for m in members))
        their_figures = frozenset().union(*(profiles[m].figures for m in members))
        smaller = min(len(mine.entities), len(their_entities))
        entities = len(mine.entities & their_entities) / smaller if smaller else 0.0
        # two shared figures are strong evidence, one a hint (a common price or percentage); reports
        # of one event repeat its figures, so several figures on each side, none shared, count against
        shared = len(mine.figures & their_figures)
        if shared:
            figures = min(1.0, shared / 2)
        elif min(len(mine.figures), len(their_figures)) >= 2:
            figures = -config.disagreement
        else:
            figures = 0.0
        score = text + config.entity_weight * entities + config.figure_weight * figures
        matches.append(Match(story.id, score, text, entities, figures))
    matches.sort(key=lambda m: (-m.score, m.story_id))
    return matches


def _vectors(
    vectorizer: TfidfVectorizer | None, docs: Sequence[DocRecord], background: Sequence[DocRecord]
) -> dict[int, np.ndarray]:
    """Unit TF-IDF vectors of ``docs``, fitted here on docs and background unless a model is given."""
    if vectorizer is None:
        corpus = {d.id: d for d in background}
        corpus.update({d.id: d for d in docs})
        vectorizer = make_vectorizer()
        vectorizer.fit([document_text(corpus[i]) for i in sorted(corpus)])
    matrix = vectorizer.transform([document_text(d) for d in docs])
    dense = matrix.toarray()
    norms = np.linalg.norm(dense, axis=1)
    norms[norms == 0] = 1.0
    dense = dense / norms[:, None]
    return {d.id: dense[i] for i, d in enumerate(docs)}


def assign_document(
    session: Session,
    document_id: int,
    *,
    config: ClusterConfig = DEFAULT_CONFIG,
    domain: str | None = None,
    vectorizer: TfidfVectorizer | None = None,
) -> int:
    """Put a stored document into a story (an open one or a new one) and return the story's id.

    Args:
        session: an open store session (the caller's transaction).
        document_id: the stored document.
        config: thresholds and window.
        domain: the domain pack whose entities reinforce similarity (default: the setting).
        vectorizer: a TF-IDF model already fitted (``rebuild_stories`` fits one on the whole store).

    Returns:
        The id of the story the document belongs to. Calling it again returns the same id.
    """
    current = repo.story_of_document(session, document_id)
    if current is not None:
        return current
    doc = repo.get_document(session, document_id)
    if doc is None:
        raise InputError(f"no document with id {document_id}")
    if doc.duplicate_of is not None and doc.duplicate_of != doc.id:
        story_id = assign_document(
            session, doc.duplicate_of, config=config, domain=domain, vectorizer=vectorizer
        )
        story = repo.get_story(session, story_id)
        members = repo.get_documents(session, [*(story.document_ids if story else ()), doc.id])
        repo.add_to_story(session, story_id, doc.id, doc.day, 1.0, headline_for(members))
        return story_id

    day = doc.day or date.today()
    window = timedelta(days=config.window_days)
    stories = [
        dataclasses.replace(story, document_ids=story.document_ids[-config.max_members :])
        for story in repo.stories_near(session, day - window, day + window, limit=config.max_stories)
    ]
    member_ids = {m for s in stories for m in s.document_ids}
    docs = {d.id: d for d in repo.get_documents(session, member_ids | {doc.id})}
    if stories:
        background = [] if vectorizer is not None else repo.recent_documents(session, config.background)
        vectors = _vectors(vectorizer, list(docs.values()), background)
        claims = repo.claims_for_documents(session, docs)
        profiles = _profiles(list(docs.values()), claims, entity_index(_domain(domain)))
        matches = score_stories(doc, stories, docs, vectors, profiles, config)
        if matches and matches[0].score >= config.threshold:
            best = matches[0]
            story = next(s for s in stories if s.id == best.story_id)
            members = [docs[m] for m in story.document_ids if m in docs] + [doc]
            repo.add_to_story(
                session, best.story_id, doc.id, doc.day, round(best.score, 4), headline_for(members)
            )
            return best.story_id
    return repo.create_story(session, doc.id, doc.day, headline_for([doc]))


def rebuild_stories(
    session: Session, *, config: ClusterConfig = DEFAULT_CONFIG, domain: str | None = None
) -> int:
    """Forget every story and group all stored documents again, in order of arrival.

    One TF-IDF model is fitted on the whole store first, so a rebuild costs one fit, not one per
    document. Returns the number of stories.
    """
    repo.clear_stories(session)
    order = repo.documents_in_arrival_order(session)
    if not order:
        return 0
    vectorizer = make_vectorizer()
    vectorizer.fit([document_text(d) for d in repo.get_documents(session, order)])
    stories = set()
    for document_id in order:
        stories.add(
            assign_document(session, document_id, config=config, domain=domain, vectorizer=vectorizer)
        )
    return len(stories)


def assign_pending(session: Session, *, config: ClusterConfig = DEFAULT_CONFIG, domain: str | None = None) -> int:
    """Group the stored documents that are in no story yet, in order of arrival; returns how many."""
    count = 0
    for document_id in repo.pending_documents_in_arrival_order(session):
        # A near duplicate placed with its original earlier in this loop is skipped here.
        if repo.story_of_document(session, document_id) is None:
            assign_document(session, document_id, config=config, domain=domain)
            count += 1
    return count
