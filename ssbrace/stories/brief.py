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

from ssbrace.documents.markdown import strip_emphasis, strip_links
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.stories_repo import DocRecord, StoryRecord
from ssbrace.stories.cluster import headline_for
from ssbrace.stories.features import (
    EMPTY_INDEX,
    EntityIndex,
    fact_figures,
    figure_keys,
    marking_figures,
    telling_figures,
)
from ssbrace.stories.sentences import DEFAULT_RULES, Sentence, TextRules, split_sentences

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
FIGURE_STOP_RATIO = 0.5  # ... or below this share, for a sentence bringing a figure no bullet has

# A bullet reads on its own: it opens with a capital, a digit, a currency sign or an opening quote
# or bracket, and ends with a full stop (a closing quote or bracket may follow it).
_OPENS = re.compile(r"[\"'\u201c\u2018(\[]?(?:[A-Z\d]|[$\u20ac\u00a3\u00a5\u20a9][\d.])")
_CLOSES = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")
# A sentence that opens with one of these leans on the one before it.
_LEANING = frozenset({"and", "but", "or", "nor", "yet", "plus", "so", "then", "also"})
_LEANING_EXCEPT = frozenset({"so far", "then-chief", "also known"})
# Emphasis marks removed from bullet sentences (a single "*" is kept, as it always was here).
_MD_EMPHASIS = ("**", "__", "`")
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
    names: frozenset[str] = frozenset()  # entities it names (gazetteer, claim subjects and objects)


def _clean(sentence: str) -> str:
    """The sentence without its dateline and Markdown marks, white space collapsed."""
    # Emphasis never spans a line break; links may.
    text = "\n".join(strip_emphasis(line, _MD_EMPHASIS) for line in strip_links(sentence).split("\n"))
    return " ".join(_DATELINE.sub("", text, count=1).split())


def reads_alone(text: str) -> bool:
    """Whether a sentence reads well as a bullet: a whole sentence that does not lean on the one before."""
    if not _OPENS.match(text) or not _CLOSES.search(text):
        return False
    words = text.split()
    first = words[0].strip("\"'\u201c\u2018(,").casefold()
    if first in _LEANING:
        return " ".join(words[:2]).casefold().rstrip(",") in _LEANING_EXCEPT
    return True


def _candidates(
    docs: list[DocRecord], claims: list[ClaimRecord], rules: TextRules, index: EntityIndex
) -> list[_Candidate]:
    by_doc: dict[int, list[ClaimRecord]] = {}
    for claim in claims:
        by_doc.setdefault(claim.document_id, []).append(claim)
    found = []
    for doc in docs:
        title = " ".join((doc.title or "").split()).casefold()
        rank = 0
        for sentence in split_sentences(doc.text, rules):
            if sentence.kind not in ("text", "item"):  # headings, tables, sources, bylines, captions
                continue
            text = _clean(sentence.text)
            words = len(text.split())
            if words < 6 or words > 70 or text.casefold() == title or not reads_alone(text):
                continue
            if rules.boilerplate(text):
                continue
            mine = [c for c in by_doc.get(doc.id, ()) if _overlaps(c, sentence)]
            names = index.find(text) | {c.subject for c in mine} | {c.object for c in mine if c.object}
            if index is EMPTY_INDEX:
                names |= _capitalised(text)
            has_figure = bool(telling_figures(text))
            found.append(_Candidate(doc, sentence, text, rank, bool(mine), has_figure, frozenset(names)))
            rank += 1
    return found


def _capitalised(text: str) -> set[str]:
    """Capitalised words after the first: the names a sentence holds when no gazetteer is loaded."""
    words = re.findall(r"[A-Za-z][\w'\u2019-]*", text)
    return {w.casefold() for w in words[1:] if w[0].isupper()}


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


def compose_brief(
    story: StoryRecord,
    docs: list[DocRecord],
    claims: list[ClaimRecord],
    *,
    index: EntityIndex = EMPTY_INDEX,
    rules: TextRules = DEFAULT_RULES,
) -> Brief:
    """The brief of a story from its documents and their claims (pure: the pipeline reads them).

    Args:
        index: the domain pack's entities (names a sentence holds).
        rules: the pack's abbreviations and boilerplate labels.
    """
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
    candidates = _candidates(docs, claims, rules, index)
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
        [fact_figures(c.text) for c in candidates],
        [marking_figures(c.text) for c in candidates],
        [c.names for c in candidates],
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
    relevance: list[float],
    similarity: np.ndarray,
    numbers: list[set[str]],
    facts: list[set[str]],
    marks: list[set[str]],
    names: list[frozenset[str]],
) -> list[int]:
    """Maximal marginal relevance: good sentences that do not repeat the ones already chosen.

    A sentence whose telling figures are all in bullets already chosen repeats them, however it is
    worded; so does one that states, about the same entities as a chosen bullet, only figures and
    years that bullet states, or one of its distinctive figures ("on sale in 2027-28" and "in 2027
    or 2028"; "1,000 km" and "1,000 kilometres"); and one whose figures are all in the chosen
    bullets when it also reads alike.
    """
    order = sorted(range(len(relevance)), key=lambda i: (-relevance[i], i))
    best = relevance[order[0]]
    chosen: list[int] = []
    covered: set[str] = set()
    covered_all: set[str] = set()
    covered_names: set[str] = set()

    def restates(i: int, j: int) -> bool:
        """Whether sentence i repeats a figure of bullet j about the same entities."""
        if not facts[i] or not (facts[i] <= facts[j] or marks[i] & marks[j]):
            return False
        if not (names[i] <= names[j] or names[j] <= names[i]):
            return False  # same figure, different companies: two facts
        return bool(names[i]) or similarity[i, j] >= SAME_DATES

    while len(chosen) < MAX_BULLETS:
        pick, pick_score = None, -np.inf
        for i in order:
            if i in chosen:
                continue
            # figures already given count as a repeat only when told of the entities already named
            known = names[i] <= covered_names
            if known and numbers[i] and numbers[i] <= covered:
                continue
            overlap = max((similarity[i, j] for j in chosen), default=0.0)
            if overlap >= REDUNDANT or (
                known and facts[i] and facts[i] <= covered_all and overlap >= SAME_DATES
            ):
                continue
            if any(restates(i, j) for j in chosen):
                continue
            if len(chosen) >= MIN_BULLETS and relevance[i] < STOP_RATIO * best:
                # past the minimum only a strong sentence, or a fair one with a new figure, goes in
                if not (numbers[i] - covered) or relevance[i] < FIGURE_STOP_RATIO * best:
                    continue
            score = MMR_LAMBDA * relevance[i] - (1 - MMR_LAMBDA) * overlap
            if score > pick_score:
                pick, pick_score = i, score
        if pick is None:
            break
        chosen.append(pick)
        covered |= numbers[pick]
        covered_all |= facts[pick]
        covered_names |= names[pick]
    _prefer_richer(chosen, relevance, similarity, facts, restates, FIGURE_STOP_RATIO * best)
    return chosen


def _prefer_richer(
    chosen: list[int],
    relevance: list[float],
    similarity: np.ndarray,
    facts: list[set[str]],
    restates: Any,
    floor: float,
) -> None:
    """Swap a bullet for a sentence that says all it says in figures and more, about the same entities.

    "Toyota aims for 2027-28 and a range of 1,000 km" beats "Toyota aims for 2027 or 2028": one
    bullet then carries both facts instead of the second being lost as a repeat.
    """
    for slot, j in enumerate(chosen):
        others = [k for k in chosen if k != j]
        richer = [
            i
            for i in range(len(relevance))
            if i not in chosen
            and relevance[i] >= floor
            and facts[j] < facts[i]
            and restates(j, i)
            and not any(similarity[i, k] >= REDUNDANT or restates(i, k) for k in others)
        ]
        if richer:
            chosen[slot] = max(richer, key=lambda i: (len(facts[i]), relevance[i], -i))


def _citations(i: int, cand: _Candidate, candidates: list[_Candidate], similarity: np.ndarray) -> set[int]:
    """The bullet's own document, and every document that says the same with the same numbers.

    A document says the same when one of its sentences is close to the bullet, or, for a bullet
    with telling figures or a span of years, when it states all of them in a sentence on the same
    subject. Numbers are compared normalised: "2027-28" is backed by "2027 or 2028".
    """
    cited = {cand.doc.id}
    needed = fact_figures(cand.text)
    telling = telling_figures(cand.text) | marking_figures(cand.text)
    closest: dict[int, float] = {}
    for j, other in enumerate(candidates):
        closest[other.doc.id] = max(closest.get(other.doc.id, 0.0), float(similarity[i, j]))
    for doc in {c.doc.id: c.doc for c in candidates}.values():
        if doc.id in cited:
            continue
        near = closest[doc.id]
        if near < SUPPORTS and not (telling and near >= SUPPORTS / 2):
            continue
        if needed <= fact_figures(f"{doc.title or ''}\n{doc.text}"):
            cited.add(doc.id)
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
