"""``ssbrace claims``: list stored claims, mark one wrong or correct it, list, undo, export and import reviews.

Thin wrappers over ``ssbrace.api`` / ``ssbrace.review``; the review is applied where claims are read, so
every other command (board, facts, roadmap, conflicts, check, report) shows it without doing anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from ssbrace.cli.context import app_context, cell, out, plain, plural, print_json, print_table
from ssbrace.cli.main import app
from ssbrace.errors import InputError, UsageError

if TYPE_CHECKING:
    from ssbrace.kb.records import ClaimRecord
    from ssbrace.kb.reviews_repo import ReviewRow

claims_app = typer.Typer(help="List claims; mark one wrong or correct it; list, undo, export and import reviews.",
                         no_args_is_help=True)
app.add_typer(claims_app, name="claims")

_BY = typer.Option(None, "--by", help="Who reviews (default: your OS user name).")
_REASON = typer.Option(None, "--reason", help="Why, in a few words (shown with the review).")





def _figure(claim: ClaimRecord) -> str:
    from ssbrace.analysis.facts import format_value, numeric_value, unit_of

    value = numeric_value(claim)
    return format_value(value, unit_of(claim), claim.bound) if value is not None else ""


def _review_word(claim: ClaimRecord) -> str:
    review = claim.review
    if review is None:
        return ""
    return f"{review.verdict} #{review.id}"


@claims_app.command("list")
def list_cmd(
    ctx: typer.Context,
    doc: int | None = typer.Option(None, "--doc", help="Only this document's claims (its id)."),
    kind: str | None = typer.Option(None, "--kind", help="Only this kind (after review)."),
    subject: str | None = typer.Option(None, "--subject", help="Only claims naming this entity (name or alias)."),
    limit: int = typer.Option(200, "--limit", min=1, help="At most this many claims."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List stored claims with their ids, as reviewed (claims marked wrong included, marked so)."""
    from itertools import islice

    from ssbrace.kb.search import ClaimFilter, iter_claims
    from ssbrace.models import CLAIM_KINDS

    if kind is not None and kind not in CLAIM_KINDS:
        raise UsageError(f"unknown kind {kind!r}; one of {', '.join(CLAIM_KINDS)}")
    context = app_context(ctx)
    flt = ClaimFilter(entity=subject, kind=kind, document_id=doc, with_wrong=True)
    with context.store().session() as session:
        claims = list(islice(iter_claims(session, flt), limit))
    if as_json:
        from ssbrace.delivery.records import to_json

        print_json([to_json(c) for c in claims])
        return
    table = Table(title=f"Claims ({len(claims)})")
    for col in ("id", "doc", "kind", "subject", "value", "year", "review", "sentence"):
        table.add_column(col, justify="right" if col in ("id", "doc") else "left")
    for c in claims:
        sentence = c.sentence if len(c.sentence) <= 90 else c.sentence[:87] + "..."
        table.add_row(str(c.id), str(c.document_id), cell(c.kind), cell(c.subject), cell(_figure(c)),
                      cell(c.year or ""), cell(_review_word(c)), cell(sentence))
    print_table(table)


@claims_app.command("wrong")
def wrong_cmd(
    ctx: typer.Context,
    claim_id: int = typer.Argument(..., help="The claim's id (see `ssbrace claims list`)."),
    reason: str | None = _REASON,
    by: str | None = _BY,
) -> None:
    """Mark a claim wrong: it leaves facts, boards, ledgers, conflicts and reports; it stays so after
    `ssbrace reextract` (undo: `ssbrace claims undo REVIEW_ID`)."""
    from ssbrace.api import mark_wrong

    row = mark_wrong(app_context(ctx).store(), claim_id, reviewer=by, reason=reason)
    out.print(plain(f"claim {claim_id} marked wrong by {row.reviewer} (review {row.id}; undo: "
                    f"ssbrace claims undo {row.id})"), markup=False)


@claims_app.command("correct")
def correct_cmd(
    ctx: typer.Context,
    claim_id: int = typer.Argument(..., help="The claim's id (see `ssbrace claims list`)."),
    subject: str | None = typer.Option(None, "--subject", help="The entity the claim is about (name or alias)."),
    subject_type: str | None = typer.Option(None, "--subject-type", help="country, region, company, program, "
                                            "institution (default: the entity's)."),
    kind: str | None = typer.Option(None, "--kind", help="The claim's kind (funding, investment, target, ...)."),
    value: str | None = typer.Option(None, "--value", help="The figure: 1200, 3,000, 1.2bn, $400 million, 45% "
                                     "(US dollars for funding and investment)."),
    unit: str | None = typer.Option(None, "--unit", help="patents, %, USD, GWh/yr, Wh/kg, ..."),
    bound: str | None = typer.Option(None, "--bound", help="eq, gt (over), lt (under), approx (about)."),
    year: str | None = typer.Option(None, "--year", help="The year the claim is about."),
    year_end: str | None = typer.Option(None, "--year-end", help="The last year of a range."),
    stage: str | None = typer.Option(None, "--stage", help="For targets: pilot, mass_production, ..."),
    technology: str | None = typer.Option(None, "--technology", help="all_solid_state, sulfide, ..."),
    metric: str | None = typer.Option(None, "--metric", help="For specs: energy_density_wh_kg, range_km, ..."),
    reason: str | None = _REASON,
    by: str | None = _BY,
) -> None:
    """Correct a claim's subject, kind, value, year or other fields; every analysis reads the corrected values
    and the review stays after `ssbrace reextract`."""
    from ssbrace.api import correct_claim

    row = correct_claim(app_context(ctx).store(), claim_id, reviewer=by, reason=reason, subject=subject,
                        subject_type=subject_type, kind=kind, value=value, unit=unit, bound=bound, year=year,
                        year_end=year_end, stage=stage, technology=technology, metric=metric)
    changed = "; ".join(f"{name} {old!r} -> {new!r}" for name, (old, new) in row.changes.items())
    out.print(plain(f"claim {claim_id} corrected by {row.reviewer} (review {row.id}): {changed}"), markup=False)


def _what(row: ReviewRow) -> str:
    if row.verdict == "wrong":
        return "wrong"
    return "; ".join(f"{name}: {old} -> {new}" for name, (old, new) in row.changes.items())


@claims_app.command("reviews")
def reviews_cmd(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="Include undone and superseded reviews."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List reviews: the claim each applies to now, or "unmatched" when re-extraction did not find it again."""
    from ssbrace.api import reviews
    from ssbrace.review import review_json

    rows = reviews(app_context(ctx).store(), include_undone=all_)
    if as_json:
        print_json([review_json(r) for r in rows])
        return
    table = Table(title=f"Reviews ({len(rows)})")
    for col in ("id", "claim", "verdict", "what", "by", "when", "why"):
        table.add_column(col, justify="right" if col == "id" else "left")
    for r in rows:
        claim = str(r.claim_id) if r.matched else ("undone" if not r.active else "unmatched")
        table.add_row(str(r.id), claim, r.verdict, cell(_what(r)), cell(r.reviewer),
                      r.created_at.strftime("%Y-%m-%d %H:%M"), cell(r.reason or ""))
    print_table(table)
    unmatched = sum(1 for r in rows if r.active and not r.matched)
    if unmatched:
        out.print(plain(f"{plural(unmatched, 'review')} matched no claim: its claim was not found again after "
                        "re-extraction (or its document is gone); it applies to nothing until it matches"),
                  markup=False)


@claims_app.command("undo")
def undo_cmd(
    ctx: typer.Context,
    review_id: int = typer.Argument(..., help="The review's id (see `ssbrace claims reviews`)."),
    by: str | None = _BY,
) -> None:
    """Undo a review: the claim reads as before it."""
    from ssbrace.api import undo_review

    row = undo_review(app_context(ctx).store(), review_id, by=by)
    out.print(plain(f"review {row.id} undone ({row.verdict}, by {row.reviewer})"), markup=False)


@claims_app.command("export-reviews")
def export_cmd(
    ctx: typer.Context,
    out_file: Path | None = typer.Option(None, "--out", help="Write to this file (default: stdout)."),
) -> None:
    """Write the active reviews as JSON Lines, for `ssbrace claims import-reviews` into another store."""
    from ssbrace.api import export_reviews

    lines = export_reviews(app_context(ctx).store())
    if out_file is None:
        for line in lines:
            typer.echo(line)
        return
    out_file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    out.print(plain(f"{plural(len(lines), 'review')} written to {out_file}"), markup=False)


@claims_app.command("import-reviews")
def import_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Reviews as `ssbrace claims export-reviews` writes them."),
) -> None:
    """Apply reviews exported from another store: each is matched to a claim here by its document (text hash,
    else address) and the claim's key, not by ids; importing the same file again adds nothing."""
    from ssbrace.api import import_reviews

    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {file}: {exc}") from None
    result = import_reviews(app_context(ctx).store(), lines)
    out.print(plain(f"reviews imported: {result.added} ({result.matched} matched a claim, {result.unmatched} "
                    f"unmatched); already here: {result.known}"), markup=False)
