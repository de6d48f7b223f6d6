"""Knowledge commands: load-reference, entities, conflicts, roadmap, check, board, report, changes."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from ssbrace.cli.context import (
    AppContext,
    app_context,
    cell,
    err,
    out,
    plain,
    print_json,
    print_table,
    styled,
)
from ssbrace.cli.main import app
from ssbrace.delivery.formats import FORMATS
from ssbrace.errors import UsageError

# The analysis, the report and the store load inside the commands that use them (a fast `--help`).
if TYPE_CHECKING:
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.domains.loader import DomainPack

entities_app = typer.Typer(help="List entities with their aliases and claim counts; merge two by hand.",
                           invoke_without_command=True, no_args_is_help=False)
app.add_typer(entities_app, name="entities")


def _pack(context: AppContext) -> DomainPack:
    from ssbrace.domains.loader import load_domain

    return load_domain(context.settings.domain)


def _knowledge(ctx: typer.Context, weights: dict[str, float] | None = None) -> Knowledge:
    # A subject at a time: the analysis holds its outputs, not every claim (the same parts either way).
    from ssbrace.analysis.bundle import Knowledge
    from ssbrace.kb.queries import StoredClaimGroups

    context = app_context(ctx)
    return Knowledge.of_grouped(StoredClaimGroups(context.store()), _pack(context), weights)


def _weights(weight: list[str]) -> dict[str, float]:
    from ssbrace.analysis.config import parse_weight_overrides

    return parse_weight_overrides(weight)


# Short column names and figures for the terminal table (the report and JSON keep the long forms).
_SHORT = {"patents": "patents", "patent_share": "pat.share", "funding": "funding", "investment": "invest",
          "market_share": "mkt share", "target_companies": "targets", "earliest_mass_production": "mass prod",
          "best_energy_density": "Wh/kg"}
_COMPACT = ((re.compile(r"^over "), ">"), (re.compile(r"^under "), "<"), (re.compile(r"^about "), "~"),
            (re.compile(r"^around "), "~"), (re.compile(r"US\$"), "$"), (re.compile(r" billion"), "bn"),
            (re.compile(r" million"), "m"), (re.compile(r" patents| Wh/kg"), ""), (re.compile(r" \(disputed\)"), "!"))


def _compact(text: str) -> str:
    for pattern, repl in _COMPACT:
        text = pattern.sub(repl, text)
    return text






@app.command("load-reference")
def load_reference_cmd(
    ctx: typer.Context,
    file: Path | None = typer.Option(None, "--file", help="Reference claims JSONL (default: the pack's own)."),
) -> None:
    """Load the pack's reference claims (real, sourced claims) into the store; re-running adds nothing."""
    from ssbrace.pipeline import load_reference

    context = app_context(ctx)
    added = load_reference(context.store(), file, _pack(context))
    out.print(f"reference claims added: {added}")


@entities_app.callback()
def entities_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    entity_type: str | None = typer.Option(None, "--type", help="Only this type: country, company, program..."),
    all_: bool = typer.Option(False, "--all", help="Include entities no claim names."),
) -> None:
    """List entities with their aliases and claim counts."""
    if ctx.invoked_subcommand is not None:
        return
    from ssbrace.kb.queries import entity_rows

    context = app_context(ctx)
    with context.store().session() as session:
        rows = [r for r in entity_rows(session, entity_type) if all_ or r.claim_count]
    if as_json:
        from ssbrace.delivery.records import to_json

        print_json([to_json(r) for r in rows])
        return
    table = Table(title=f"Entities ({len(rows)})")
    for col in ("name", "type", "country", "claims", "aliases"):
        table.add_column(col, justify="right" if col == "claims" else "left")
    for r in sorted(rows, key=lambda r: (-r.claim_count, r.name)):
        table.add_row(cell(r.name + ("" if r.from_gazetteer else " *")), cell(r.type), cell(r.country or ""),
                      str(r.claim_count), cell(", ".join(r.aliases[:6]) + (" ..." if len(r.aliases) > 6 else "")))
    print_table(table)
    out.print("* not in the gazetteer (created from a claim)")


@entities_app.command("merge")
def merge_cmd(
    ctx: typer.Context,
    keep: str = typer.Argument(..., help="The entity that stays (name or alias)."),
    drop: str = typer.Argument(..., help="The entity merged into it."),
    force: bool = typer.Option(False, "--force", help="Merge even when the two are of different types."),
) -> None:
    """Merge entity DROP into KEEP: its aliases and claims move to KEEP; the merge is logged (undo it with
    `ssbrace entities unmerge DROP`)."""
    from ssbrace.entities.resolve import merge_entities

    context = app_context(ctx)
    with context.store().session() as session:
        kept = merge_entities(session, keep, drop, force=force)
        name = kept.name
    out.print(plain(f"merged {drop!r} into {name!r} (undo: ssbrace entities unmerge {drop!r})"), markup=False)


@entities_app.command("unmerge")
def unmerge_cmd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The entity a merge dropped."),
) -> None:
    """Undo the latest merge that dropped NAME: it comes back with its aliases and claims."""
    from ssbrace.entities.resolve import unmerge_entity

    context = app_context(ctx)
    with context.store().session() as session:
        restored = unmerge_entity(session, name)
        shown = f"{restored.name} ({restored.type})"
    out.print(plain(f"restored {shown}"), markup=False)


@entities_app.command("merges")
def merges_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The merge log: what was merged into what, by whom (person or fuzzy matching), when."""
    from ssbrace.kb import entities_repo as repo

    context = app_context(ctx)
    with context.store().session() as session:
        rows: list[dict[str, Any]] = [
            {"dropped": m.dropped_name, "kept": m.kept_name, "by": m.by, "at": m.merged_at.isoformat(),
             "undoable": bool(m.undo)} for m in repo.merges(session)]
    if as_json:
        print_json(rows)
        return
    if not rows:
        out.print("no merges")
        return
    for r in rows:
        out.print(plain(f"{r['at'][:19]}  {r['dropped']} -> {r['kept']}  ({r['by']}"
                        f"{'' if r['undoable'] else ', cannot be undone'})"), markup=False)


@app.command("conflicts")
def conflicts_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    scope: bool = typer.Option(True, "--scope/--no-scope", help="Also list scope differences."),
) -> None:
    """Numbers and standings that disagree, each with both sides, their sentences and sources; then each
    reported patent figure beside the one computed from the loaded exports."""
    k = _knowledge(ctx)
    items = [c for c in k.conflicts if scope or c.type != "scope"]
    gaps = _patent_gaps(ctx, k)
    if as_json:
        from ssbrace.delivery.records import to_json

        # Conflicts first, then scope differences, as the report lists them; patent gaps last ("type": "patent_gap").
        print_json([to_json(c) for c in sorted(items, key=lambda c: c.type == "scope")]
                    + [{"type": "patent_gap", **g.as_dict()} for g in gaps])
        return
    if not items and not gaps:
        out.print("no conflicts")
        return
    for c in items:
        head = "SCOPE DIFFERENCE" if c.type == "scope" else f"CONFLICT ({c.type})"
        out.print(styled((head, "bold"), f" {c.entity}: {c.topic} ({c.period})"))
        for side in c.sides:
            out.print(styled("  ", (str(side.label), "cyan")))
            for claim in side.claims:
                out.print(styled(f"    - {_evidence_text(claim)} ",
                                 (f"({claim.source_name}, {claim.seen or 'undated'}; {claim.link})", "dim")))
        out.print("")
    if gaps:
        _print_patent_gaps(gaps)
    n = sum(c.type != "scope" for c in items)
    out.print(f"{n} conflicts, {len(items) - n} scope differences, {len(gaps)} reported patent figures set beside "
              "computed ones")


def _evidence_text(claim: Any) -> str:
    """A claim's sentence, or for a count computed from patent exports, its provenance marked as such."""
    from ssbrace.patents.computed import is_computed

    return f"[computed, not reported] {claim.sentence}" if is_computed(claim.extra) else claim.sentence


def _patent_gaps(ctx: typer.Context, k: Knowledge) -> list:
    """Reported patent figures beside the counts computed from the loaded exports (none when none is loaded)."""
    import ssbrace.patents as patents
    from ssbrace.analysis.chunked import fact_claims

    context = app_context(ctx)
    return patents.compare(context.store(), fact_claims(k.facts), pack=context.settings.domain)


@app.command("roadmap")
def roadmap_cmd(
    ctx: typer.Context,
    company: str | None = typer.Argument(None, help="One company (default: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The target ledger: every dated target of a company x stage, with slips and pull-ins."""
    k = _knowledge(ctx)
    wanted = company
    if company is not None:  # an alias ("Toyota Motor") means its entity, as on the web
        from ssbrace.entities.resolve import find_entity
        from ssbrace.errors import InputError

        with app_context(ctx).store().session() as session:
            try:
                wanted = find_entity(session, company).name
            except InputError:
                wanted = company
    ledgers = [led for led in k.ledgers if wanted is None or led.entity.casefold() == wanted.casefold()]
    if company and not ledgers:
        raise UsageError(f"no dated targets for {company!r} (see `ssbrace entities --type company`)")
    if as_json:
        from ssbrace.delivery.records import to_json

        print_json([to_json(led) for led in ledgers])
        return
    table = Table(title=cell("Target ledger" + (f": {wanted}" if wanted else "")))
    for col in ("company", "stage", "reported", "target", "move", "source"):
        table.add_column(col)
    for led in ledgers:
        for i, e in enumerate(led.entries):
            move = {"slip": "[red]SLIP[/red]", "pull_in": "[green]PULL-IN[/green]"}.get(e.move) or cell(
                e.move.replace("_", " "))
            table.add_row(cell(led.entity if i == 0 else ""), cell(led.stage.replace("_", " ") if i == 0 else ""),
                          cell(e.reported or "undated"), cell(e.target), move, cell(e.claim.source_name))
        table.add_row("", "", "", styled((f"now {led.current.target}", "bold")),
                      f"moved {led.moved:+.1f} y" if led.moved else "held", "", end_section=True)
    print_table(table)


@app.command("check")
def check_cmd(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Consistency checks: currency conversions, share sums, counts vs shares, rank order, and reported
    patent figures against the counts computed from loaded patent exports."""
    k = _knowledge(ctx)
    gaps = _patent_gaps(ctx, k)
    if as_json:
        from ssbrace.delivery.records import to_json

        print_json([to_json(f) for f in k.findings] + [g.as_dict() for g in gaps])
        return
    if gaps:
        _print_patent_gaps(gaps)
    if not k.findings:
        out.print("every check passed")
        return
    table = Table(title=f"Consistency findings ({len(k.findings)})")
    table.add_column("check")
    table.add_column("finding")
    table.add_column("sources")
    for f in k.findings:
        table.add_row(cell(f.check), cell(f.summary), cell("\n".join(sorted({c.source_name for c in f.claims}))))
    print_table(table)


def _print_patent_gaps(gaps: list) -> None:
    from ssbrace.patents.landscape import unit_label

    table = Table(title=f"Reported patent figures vs loaded exports ({len(gaps)})")
    for col in ("subject", "reported", "computed", "gap", "what could explain it"):
        table.add_column(col)
    for g in gaps:
        table.add_row(cell(g.entity), cell(f"{g.claim.value:g}{'%' if g.claim.kind == 'patent_share' else ''} "
                                           f"({g.claim.source_name})"),
                      cell(g.computed_short()), cell(g.gap_text()), cell(g.explanation()), end_section=True)
    print_table(table)
    first = gaps[0]
    lc = first.landscape
    out.print(plain(f"computed as {unit_label(lc.unit)} by {lc.country_by.replace('_', ' ')} country, "
                    f"definition {first.definition}, from export(s) {', '.join(first.sources or first.exports)}"), markup=False)


@app.command("board")
def board_cmd(
    ctx: typer.Context,
    by: str = typer.Option("country", "--by", help="country or company."),
    weight: list[str] = typer.Option([], "--weight", help="Override one weight: NAME=NUMBER (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The scoreboard: indicators per country or company, each with its source count, and a ranking."""
    from ssbrace.analysis.scoreboard import shown_score

    overrides = _weights(weight)
    board = _knowledge(ctx, overrides).board(by)
    if as_json:
        from ssbrace.delivery.records import to_json

        print_json(to_json(board))
        return
    names = [n for n, _, _ in board.columns if any(n in r.indicators for r in board.rows)]
    table = Table(title=cell(f"Scoreboard by {by} (figure, then its number of sources; ! = sources disagree)"))
    table.add_column("#", justify="right")
    table.add_column(cell(by))
    table.add_column("score (0-100)", justify="right")
    for n in names:
        table.add_column(f"{_SHORT.get(n, n)}\nw={board.weights[n]:g}", justify="right")
    for row in board.rows:
        cells = []
        for n in names:
            ind = row.indicators.get(n)
            cells.append(cell("") if ind is None else styled(f"{_compact(ind.display)} ", (f"·{ind.n_sources}", "dim")))
        table.add_row(str(row.rank), cell(row.entity), shown_score(row.score), *cells)
    print_table(table)
    out.print(plain(board.explanation), markup=False)


@app.command("report")
def report_cmd(
    ctx: typer.Context,
    out_path: Path | None = typer.Option(None, "--out", help="File to write (default: standard output)."),
    fmt: str | None = typer.Option(None, "--format", help=f"One of {', '.join(FORMATS)} (default: from the "
                                   "--out file's suffix, else html)."),
    weight: list[str] = typer.Option([], "--weight", help="Override one weight: NAME=NUMBER (repeatable)."),
) -> None:
    """Write the knowledge report: self-contained HTML with charts, or Markdown, CSV, JSON."""
    from ssbrace.delivery.report import format_for, render_report, report_text

    chosen = format_for(out_path, fmt)  # a bad format or suffix is refused before any work
    k = _knowledge(ctx, _weights(weight))
    if out_path is None or str(out_path) == "-":
        sys.stdout.write(report_text(k, chosen))
        sys.stdout.flush()
        return
    path = render_report(k, out_path, chosen)
    err.print(plain(f"report written: {path}"), markup=False)


@app.command("changes")
def changes_cmd(
    ctx: typer.Context,
    since: str = typer.Option("7d", "--since", help="Period start (inclusive): 24h, 7d, 2w or an ISO date."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """New facts, moved targets and new conflicts since a date."""
    from ssbrace.analysis.changes import changes_of
    from ssbrace.stories.period import parse_since

    day = parse_since(since).date()  # the same rule as stories and digest
    k = _knowledge(ctx)
    changes = changes_of(k.facts, k.moves, k.conflicts, day)
    sections = (("new facts", changes.new_facts), ("moved targets", changes.moved_targets),
                ("new conflicts", changes.new_conflicts))
    if as_json:
        print_json({"since": day.isoformat(), **{name.replace(" ", "_"): [i.summary for i in items]
                                                  for name, items in sections}})
        return
    if changes.empty:
        out.print(f"nothing new since {day}")
        return
    for name, items in sections:
        out.print(f"[bold]{name} since {day}: {len(items)}[/bold]", markup=True)
        for item in items:
            out.print(plain(f"  - {item.summary}"), markup=False)
    err.print("dates are publication dates; undated documents count from when they were stored")
