"""Reviewing claims: a person marks a claim wrong or corrects its fields; the CLI, the web form and the API
call these functions.

A review is stored apart from the claim (``kb.reviews_repo``) and applied where claims are read
(``kb.queries.claim_select``): a claim marked wrong leaves facts, boards, ledgers, conflicts, checks,
reports and listings; a corrected one reads with its corrected values everywhere. Reviews survive
re-extraction (matched again by a stable key), can be undone, and travel to another store as JSON Lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ssbrace.errors import InputError, UsageError
from ssbrace.kb import reviews_repo
from ssbrace.kb.reviews_repo import ReviewRow
from ssbrace.models import CLAIM_KINDS

# What a correction may change, and the words each accepts (CLAIMS.md). The object and the standing and
# market-share details are not offered: the subject, kind and figures are what the analysis counts.
CORRECTABLE = ("subject", "subject_type", "kind", "value", "unit", "bound", "year", "year_end", "stage",
               "technology", "metric")
_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": CLAIM_KINDS,
    "subject_type": ("country", "region", "company", "program", "institution"),
    "bound": ("eq", "gt", "lt", "approx"),
    "unit": ("patents", "%", "USD", "year", "GWh/yr", "t/yr", "Wh/kg", "Wh/L", "km", "min", "cycles"),
    "stage": ("prototype", "pilot", "sample", "commercialization", "mass_production", "vehicle_launch"),
    "technology": ("all_solid_state", "semi_solid", "sulfide", "oxide", "polymer", "halide", "lithium_metal"),
    "metric": ("energy_density_wh_kg", "energy_density_wh_l", "range_km", "charge_minutes", "cycle_life",
               "cost_multiple"),
}
# Money claims are counted in US dollars: their "value" is ``value_usd``.
MONEY_KINDS = ("funding", "investment")
_SCALE = {"": 1.0, "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9, "bn": 1e9,
          "billion": 1e9, "tn": 1e12, "trillion": 1e12, "%": 1.0}
_NUMBER = re.compile(r"^(?:us)?\$?\s*(\d[\d,]*(?:\.\d+)?|\.\d+)\s*([a-z%]*)$", re.IGNORECASE)


def parse_value(text: str) -> float:
    """A figure as a person types it: "1200", "3,000", "1.2bn", "$400 million", "45%"."""
    match = _NUMBER.match(text.strip().replace("_", ""))
    scale = _SCALE.get(match.group(2).lower()) if match else None
    if match is None or scale is None:
        raise UsageError(f"not a number: {text!r} (e.g. 1200, 3,000, 1.2bn, $400 million, 45%)")
    return float(match.group(1).replace(",", "")) * scale


def parse_year(text: str) -> int:
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise UsageError(f"not a year: {text!r} (four digits, e.g. 2028)")
    return int(text)


def parse_corrections(given: dict[str, str | None]) -> dict[str, Any]:
    """The corrections a person typed (field -> text, None for not given), checked and typed.

    Raises:
        UsageError: an unknown field, a word outside the field's vocabulary, a value or year that does
            not parse, or nothing to correct.
    """
    out: dict[str, Any] = {}
    for name, text in given.items():
        if text is None:
            continue
        if name not in CORRECTABLE:
            raise UsageError(f"cannot correct {name!r}; one of {', '.join(CORRECTABLE)}")
        text = text.strip()
        if not text:
            raise UsageError(f"--{name.replace('_', '-')} needs a value")
        if name == "value":
            out[name] = parse_value(text)
        elif name in ("year", "year_end"):
            out[name] = parse_year(text)
        elif name in _CHOICES and text not in _CHOICES[name]:
            raise UsageError(f"unknown {name.replace('_', ' ')} {text!r}; one of {', '.join(_CHOICES[name])}")
        else:
            out[name] = text
    if not out:
        raise UsageError("nothing to correct: give at least one of --subject, --kind, --value, --year, ...")
    return out


def _default_reviewer() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a container
        return "unknown"


def mark_wrong(session: Session, claim_id: int, *, reviewer: str | None = None,
               reason: str | None = None) -> ReviewRow:
    """Mark a claim wrong: it leaves every analysis, listing and count (``undo_review`` brings it back).

    Raises:
        InputError: no such claim.
    """
    claim = reviews_repo.get_claim_row(session, claim_id)
    return reviews_repo.add_review(session, claim, verdict="wrong", changes={}, reviewer=reviewer or _default_reviewer(),
                                   reason=reason)


def correct_claim(session: Session, claim_id: int, corrections: dict[str, Any], *, reviewer: str | None = None,
                  reason: str | None = None) -> ReviewRow:
    """Correct a claim's fields (``parse_corrections``' output); the claim reads with the new values everywhere.

    A corrected subject is linked to its entity (a known name or alias; a new entity otherwise, as for an
    extracted name). A second correction of the same claim supersedes the first and keeps its other changes.

    Raises:
        InputError: no such claim, or the correction changes nothing.
    """
    from ssbrace.entities.resolve import Resolver
    from ssbrace.kb.tables import Entity

    claim = reviews_repo.get_claim_row(session, claim_id)
    earlier = reviews_repo.active_review(session, claim_id)
    kept = dict(earlier.changes or {}) if earlier is not None and earlier.verdict == "corrected" else {}
    wanted = dict(corrections)
    kind = wanted.get("kind", (kept.get("kind") or [None, claim.kind])[1])
    if "value" in wanted and kind in MONEY_KINDS:
        wanted["value_usd"] = wanted.pop("value")
    entity_id = None
    subject = wanted.get("subject")
    if subject is not None:
        subject_type = wanted.get("subject_type") or claim.subject_type
        entity_id = Resolver.load(session).resolve(subject, subject_type)
        entity = session.get(Entity, entity_id) if entity_id is not None else None
        if entity is not None:
            wanted["subject"] = entity.name
            wanted.setdefault("subject_type", entity.type)
    linked = session.get(Entity, claim.subject_entity_id) if claim.subject_entity_id is not None else None
    current = {name: getattr(claim, name) for name in (*CORRECTABLE, "value_usd")}
    if linked is not None:
        current["subject"] = linked.name
    changes = {name: pair for name, pair in kept.items() if name not in wanted}
    changes.update({name: [current[name], new] for name, new in wanted.items() if current[name] != new})
    if not changes:
        raise InputError(f"claim {claim_id} already reads so: nothing changes")
    order = (*CORRECTABLE, "value_usd")
    changes = dict(sorted(changes.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
    if "subject" in changes and "subject" not in wanted and earlier is not None:
        entity_id = earlier.new_subject_entity_id
    return reviews_repo.add_review(
        session, claim, verdict="corrected", changes=changes, reviewer=reviewer or _default_reviewer(),
        reason=reason, new_kind=(changes.get("kind") or [None, None])[1],
        new_subject=(changes.get("subject") or [None, None])[1],
        new_subject_entity_id=entity_id if "subject" in changes else None)


def undo_review(session: Session, review_id: int, *, by: str | None = None) -> ReviewRow:
    """Stop applying a review: the claim reads as extracted again (or as an earlier review it superseded)."""
    return reviews_repo.undo_review(session, review_id, by or _default_reviewer())


def list_reviews(session: Session, *, include_undone: bool = False) -> list[ReviewRow]:
    """Reviews in the order they were made; ``matched`` False: the claim was not found after re-extraction."""
    return reviews_repo.list_reviews(session, include_undone=include_undone)


# --- export and import: JSON Lines, matched by the stable key, never by ids ---

_EXPORTED = [f.name for f in fields(ReviewRow) if f.name not in ("id", "claim_id", "document_id", "supersedes")]


def review_json(row: ReviewRow) -> dict[str, Any]:
    """One review as plain data: what ``export_reviews`` writes and the API returns (with ids)."""
    data = asdict(row)
    data["matched"] = row.matched
    for name in ("created_at", "undone_at"):
        if data[name] is not None:
            data[name] = data[name].isoformat()
    return data


def export_reviews(session: Session) -> Iterator[str]:
    """The active reviews as JSON lines, without this store's ids (``import_reviews`` matches by key)."""
    for row in reviews_repo.list_reviews(session):
        data = review_json(row)
        yield json.dumps({name: data[name] for name in _EXPORTED}, ensure_ascii=False)


@dataclass(frozen=True)
class ImportResult:
    added: int  # reviews new to this store
    matched: int  # of those, the ones whose claim was found here
    known: int  # already in this store (the same review imported before): left as they are

    @property
    def unmatched(self) -> int:
        return self.added - self.matched


def _row_from_json(data: dict[str, Any], line_no: int) -> ReviewRow:
    try:
        values: dict[str, Any] = {name: data.get(name) for name in _EXPORTED}
        for name in ("created_at", "undone_at"):
            if values[name] is not None:
                values[name] = datetime.fromisoformat(values[name])
        values["changes"] = dict(values["changes"] or {})
        missing = [n for n in ("uid", "verdict", "reviewer", "created_at", "doc_sha256", "doc_location", "key_kind",
                               "key_subject", "key_sentence", "key_start") if values.get(n) is None]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        if values["verdict"] not in reviews_repo.VERDICTS:
            raise ValueError(f"unknown verdict {values['verdict']!r}")
        return ReviewRow(id=0, claim_id=None, document_id=None, supersedes=None, **values)
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"line {line_no}: not a review: {exc}") from None


def import_reviews(session: Session, lines: Iterable[str]) -> ImportResult:
    """Add the reviews of ``export_reviews`` lines (from another store holding the same documents), each
    matched to a claim here by its key; re-importing the same file adds nothing. All or nothing: a bad line
    is an InputError and the caller's transaction rolls back."""
    added = matched = known = 0
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"line {line_no}: not JSON: {exc.msg}") from None
        if not isinstance(data, dict):
            raise InputError(f"line {line_no}: not a review: a JSON object is expected")
        row = _row_from_json(data, line_no)
        if reviews_repo.has_uid(session, row.uid):
            known += 1
            continue
        added += 1
        matched += reviews_repo.import_review(session, row)
    _link_imported_subjects(session)
    return ImportResult(added, matched, known)


def _link_imported_subjects(session: Session) -> None:
    """Imported corrections of a subject name their entity here (ids differ between stores)."""
    from ssbrace.entities.resolve import Resolver

    resolver: Resolver | None = None
    for row in reviews_repo.list_reviews(session):
        if row.verdict == "corrected" and "subject" in row.changes and row.matched:
            resolver = resolver or Resolver.load(session)
            subject_type = (row.changes.get("subject_type") or [None, None])[1] or "company"
            reviews_repo.set_subject_entity(session, row.id, resolver.resolve(row.changes["subject"][1], subject_type))
