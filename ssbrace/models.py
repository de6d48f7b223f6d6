"""Plain data passed between stages: no database, no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

# The claim kinds of CLAIMS.md, in the order reports list them.
CLAIM_KINDS = (
    "patents",
    "patent_share",
    "funding",
    "investment",
    "market_share",
    "target",
    "partnership",
    "spec",
    "capacity",
    "standing",
)


@dataclass
class Evidence:
    sentence: str
    start: int
    end: int


@dataclass
class ClaimFields:
    """What one claim states, in the order of CLAIMS.md: the one declaration every claim shape extends.

    ``Claim`` (the extractor's output), ``kb.records.ClaimRecord`` (a stored claim), the store's column list
    and the API's ``ClaimOut`` all take these fields from here.
    """

    kind: str
    subject: str
    subject_type: str
    object: str | None = None
    value: float | None = None
    unit: str | None = None
    bound: str = "eq"
    amount: float | None = None
    currency: str | None = None
    value_usd: float | None = None
    year: int | None = None
    year_end: int | None = None
    stage: str | None = None
    technology: str | None = None
    metric: str | None = None
    relation: str | None = None
    aspect: str | None = None
    rank: int | None = None
    segment: str | None = None
    program: str | None = None


# Contract fields of one claim, in the order of CLAIMS.md (doc/evidence/confidence aside).
CLAIM_FIELDS = tuple(f.name for f in fields(ClaimFields))


@dataclass(kw_only=True)
class Claim(ClaimFields):
    """One typed, sourced claim in the shape of CLAIMS.md."""

    evidence: Evidence
    confidence: float = 0.5
    doc: str = ""
    # Optional extensions (CLAIMS.md allows new optional fields).
    object_type: str | None = None
    scope: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The public JSON object of ``ssbrace extract --jsonl``."""
        data = asdict(self)
        out: dict[str, Any] = {"doc": data.pop("doc")}
        for name in CLAIM_FIELDS:
            out[name] = data.pop(name)
        out["evidence"] = data.pop("evidence")
        out["confidence"] = data.pop("confidence")
        out.update({k: v for k, v in data.items() if v is not None})
        return out


@dataclass
class ExtractedText:
    """Main text and metadata of one document, as trafilatura or a plain file gives them."""

    text: str
    title: str | None = None
    author: str | None = None
    published: date | None = None
    language: str | None = None
    publisher: str | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
