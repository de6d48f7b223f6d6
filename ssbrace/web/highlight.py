"""A document's text cut into segments, each marked with the claims whose evidence covers it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ssbrace.kb.records import ClaimRecord


@dataclass(frozen=True)
class Segment:
    text: str
    claims: tuple[int, ...]  # ids of the claims whose evidence covers this segment
    starts: tuple[int, ...]  # ids of the claims whose evidence begins here (their anchors)


def evidence_span(text: str, claim: ClaimRecord) -> tuple[int, int] | None:
    """Where a claim's sentence sits in the text: its offsets when they hold, else where the sentence is found."""
    start, end = claim.start, claim.end
    if 0 <= start < end <= len(text) and text[start:end] == claim.sentence:
        return start, end
    if claim.sentence:
        found = text.find(claim.sentence)
        if found >= 0:
            return found, found + len(claim.sentence)
    return None


def segments(text: str, claims: Iterable[ClaimRecord]) -> tuple[list[Segment], list[ClaimRecord]]:
    """The text as segments (evidence marked), and the claims whose sentence is not in the text."""
    spans: list[tuple[int, int, int]] = []
    unplaced: list[ClaimRecord] = []
    for claim in claims:
        span = evidence_span(text, claim)
        if span is None:
            unplaced.append(claim)
        else:
            spans.append((span[0], span[1], claim.id))
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out: list[Segment] = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        if left == right:
            continue
        covering = tuple(sorted(cid for s, e, cid in spans if s <= left and right <= e))
        starting = tuple(sorted(cid for s, _, cid in spans if s == left))
        out.append(Segment(text[left:right], covering, starting))
    return out, unplaced
