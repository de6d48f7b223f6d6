"""The scoreboard's one JSON shape: what ``ssbrace board --json``, ``/api/v1/scoreboard`` and its CSV give."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ssbrace.analysis.scoreboard import Board, BoardRow, Indicator
from ssbrace.delivery.links import entity_url, evidence_url


@dataclass(frozen=True)
class IndicatorOut:
    """One figure of a board row, with what it rests on."""

    value: float
    display: str
    note: str  # what the figure is: "2023", "Toyota"
    detail: str  # the longer story (which companies, which stages)
    sources: int  # distinct sources of its claims
    claims: list[int]
    evidence: str | None  # this app's page of the sentence the figure is read from


@dataclass(frozen=True)
class BoardRowOut:
    rank: int
    entity: str
    score: float
    url: str  # this app's page of the entity
    indicators: dict[str, IndicatorOut | None]  # every column of the board, null where the entity has no figure


@dataclass(frozen=True)
class BoardOut:
    by: str
    weights: dict[str, float]
    explanation: str
    notes: dict[str, str]  # indicator -> how it was measured on this board
    labels: dict[str, str]
    rows: list[BoardRowOut]


def indicator_out(ind: Indicator) -> IndicatorOut:
    lead = ind.lead
    return IndicatorOut(value=ind.value, display=ind.display, note=ind.note, detail=ind.detail,
                        sources=ind.n_sources, claims=[c.id for c in ind.claims],
                        evidence=evidence_url(lead) if lead else None)


def board_row_out(row: BoardRow, by: str, columns: Iterable[str]) -> BoardRowOut:
    """One row; ``columns`` are the board's indicator names, in order."""
    indicators = {name: indicator_out(ind) if (ind := row.indicators.get(name)) else None for name in columns}
    return BoardRowOut(rank=row.rank, entity=row.entity, score=round(row.score, 4),
                       url=entity_url(row.entity, "company" if by == "company" else "country"), indicators=indicators)


def board_out(board: Board) -> BoardOut:
    names = [name for name, _, _ in board.columns]
    return BoardOut(by=board.by, weights=board.weights, explanation=board.explanation, notes=board.notes,
                    labels=board.labels, rows=[board_row_out(r, board.by, names) for r in board.rows])


def board_json(board: Board) -> dict[str, Any]:
    """The board as plain JSON data."""
    return asdict(board_out(board))
