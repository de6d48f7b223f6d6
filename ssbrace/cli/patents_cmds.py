"""Patent commands: load exports, count a landscape, top applicants, growth, loaded exports, and the counts
stored as computed claims."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from ssbrace.cli.context import AppContext, app_context, cell, err, out, plain
from ssbrace.cli.main import app
from ssbrace.errors import UsageError

if TYPE_CHECKING:
    from ssbrace.patents.counting import Counts

patents_app = typer.Typer(help="Patent landscapes from Lens.org, Google Patents and PatentsView exports.",
                          no_args_is_help=True)
app.add_typer(patents_app, name="patents")

# "family" is what people say; the definition names which family.
_UNITS = {"family": "simple_family", "families": "simple_family", "publications": "publication"}


class _RecordsProgress:
    """A transient bar on stderr counting records as an export loads (its length is not known ahead)."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, name: str, done: int) -> None:
        if self.progress is None:
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.progress = Progress(SpinnerColumn(), TextColumn("loading {task.description}", markup=False),
                                     TextColumn("{task.completed:,} records"), TimeElapsedColumn(),
                                     console=err, transient=True)
            self.progress.start()
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task(plain(name), total=None)
        self.progress.update(self.tasks[name], completed=done)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def unit_label(unit: str) -> str:
    # pydantic loads when a command runs, not for --help
    from ssbrace.patents.landscape import unit_label as label

    return label(unit)


def _choices(unit: str | None, country_by: str | None, date_field: str | None, year_from: int | None,
             year_to: int | None, unconfirmed: bool = False) -> dict[str, Any]:
    return {"unit": _UNITS.get(unit, unit) if unit else None, "country_by": country_by,
            "date_field": date_field, "year_from": year_from, "year_to": year_to,
            **({"unconfirmed_codes": True} if unconfirmed else {})}


def _counts(context: AppContext, by: str, files: list[Path], exports: list[int], choices: dict) -> Counts:
    import ssbrace.patents as patents

    pack = context.settings.domain
    if files:
        return patents.count_files(files, by, pack=pack, **choices)
    store = context.store()
    counts = patents.count(store, by, pack=pack, exports=exports or None, **choices)
    if not counts.exports:
        raise UsageError("no patent exports loaded (ssbrace patents load EXPORT...), or pass --file EXPORT")
    return counts


def _emit(counts: Counts, as_json: bool, as_csv: bool, title: str, limit: int | None = None,
          extra: dict | None = None) -> None:
    rows = counts.rows[:limit] if limit else counts.rows
    if as_json:
        data = counts.as_dict()
        data["rows"] = data["rows"][:limit] if limit else data["rows"]
        typer.echo(json.dumps({**data, **(extra or {})}, indent=2, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([counts.by, "count", "share", "definition"])
        for r in rows:
            writer.writerow([r.key, r.count, f"{r.share:.4f}", counts.definition])
        return
    lc = counts.landscape
    table = Table(title=cell(title))
    table.add_column(counts.by)
    table.add_column(unit_label(lc.unit), justify="right")
    table.add_column("share", justify="right")
    for r in rows:
        table.add_row(cell(r.key), f"{r.count:,}", f"{r.share:.1%}")
    out.print(table)
    out.print(plain(_footer(counts)), markup=False)


def _footer(counts: Counts) -> str:
    lc = counts.landscape
    span = f"{lc.year_from or '…'}-{lc.year_to or '…'}"
    lines = [f"{counts.total:,} {unit_label(lc.unit)} in the landscape, {lc.date_field} years {span}; "
             f"country by {lc.country_by.replace('_', ' ')}; definition {counts.definition}",
             f"{counts.read:,} records read, {counts.admitted:,} in the landscape, {counts.undated:,} without a "
             f"{lc.date_field} date; exports: {', '.join(counts.exports)}"]
    if counts.by == "country" and lc.country_by in ("applicant", "inventor"):
        lines.append("a unit with applicants from several countries counts once in each: shares may sum past 100%")
    if lc.counted_unconfirmed:
        lines.append(f"counts {len(lc.counted_unconfirmed)} codes whose titles are not confirmed against the CPC "
                     f"scheme: {', '.join(c.spaced for c in lc.counted_unconfirmed)} (docs/patents.md)")
    return "\n".join(lines)


_FILE = typer.Option([], "--file", help="Count this export file directly instead of the store (repeatable).")
_EXPORT = typer.Option([], "--export", help="Only this loaded export id (repeatable; see `patents exports`).")
_UNIT = typer.Option(None, "--unit", help="publication, family (= simple_family) or extended_family.")
_RULE = typer.Option(None, "--country-by", help="applicant, first_applicant, priority_office or inventor.")
_DATE = typer.Option(None, "--date", help="Which date places a unit in a year: priority, filing or publication.")
_FROM = typer.Option(None, "--from", help="First year counted.")
_TO = typer.Option(None, "--to", help="Last year counted.")
_UNCONFIRMED = typer.Option(False, "--unconfirmed-codes", help="Also count the pack's unconfirmed codes (their "
                            "CPC titles are not checked; see docs/patents.md): another definition, with a warning.")
_JSON = typer.Option(False, "--json", help="Print JSON.")
_CSV = typer.Option(False, "--csv", help="Print CSV.")


_CLAIMS = typer.Option(False, "--claims", help="Then store the counts of all loaded exports under the pack's "
                                                "definition as computed claims (replacing the ones stored before).")


@patents_app.command("load")
def load_cmd(ctx: typer.Context, exports: list[Path] = typer.Argument(..., help="Export files: CSV, TSV or JSONL; "
                                                                              "plain, .gz or .zip."),
             claims: bool = _CLAIMS) -> None:
    """Load patent exports into the store; an export already loaded (same bytes) is not loaded again."""
    import ssbrace.patents as patents

    context = app_context(ctx)
    progress = _RecordsProgress()
    try:
        results = patents.load(context.store(), exports, pack=context.settings.domain, progress=progress)
    finally:
        progress.stop()
    for r in results:
        out.print(plain(f"{r.status}: {r.location} ({r.format}, {r.records:,} records, export {r.export_id})"),
                  markup=False)
    if claims:
        out.print(plain(_stored_line(context, None, {})), markup=False)


@patents_app.command("exports")
def exports_cmd(ctx: typer.Context, as_json: bool = _JSON) -> None:
    """The loaded exports."""
    from ssbrace.kb.patents_repo import exports

    rows = exports(app_context(ctx).store())
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in rows], indent=2, default=str))
        return
    table = Table(title=f"Patent exports ({len(rows)})")
    for col in ("id", "format", "records", "loaded", "location"):
        table.add_column(col, justify="right" if col in ("id", "records") else "left")
    for r in rows:
        table.add_row(str(r.id), r.format, f"{r.records:,}", r.loaded_at.strftime("%Y-%m-%d %H:%M"), cell(r.location))
    out.print(table)


@patents_app.command("count")
def count_cmd(ctx: typer.Context, by: str = typer.Option("country", "--by", help="country, applicant or year."),
              unit: str | None = _UNIT, country_by: str | None = _RULE, date_field: str | None = _DATE,
              year_from: int | None = _FROM, year_to: int | None = _TO, limit: int | None = typer.Option(
                  None, "--limit", help="Only the first N rows."), files: list[Path] = _FILE,
              export: list[int] = _EXPORT, as_json: bool = _JSON, as_csv: bool = _CSV,
              unconfirmed: bool = _UNCONFIRMED,
              store: bool = typer.Option(False, "--store", help="Also store the counts by country and company "
                                         "as computed claims, under these choices (replacing the ones stored "
                                         "before for the same exports).")) -> None:
    """Count the landscape by country, applicant or year, with each row's share of the total."""
    if store and files:
        raise UsageError("--store counts loaded exports: load the file first (ssbrace patents load EXPORT)")
    context = app_context(ctx)
    choices = _choices(unit, country_by, date_field, year_from, year_to, unconfirmed)
    counts = _counts(context, by, files, export, choices)
    _emit(counts, as_json, as_csv, f"Patent landscape by {by}", limit)
    if store:
        # on stderr under --json/--csv, so that stdout stays machine-readable
        (err if as_json or as_csv else out).print(plain(_stored_line(context, export or None, choices)), markup=False)


def _stored_line(context: AppContext, exports: list[int] | None, choices: dict[str, Any]) -> str:
    import ssbrace.patents as patents

    done = patents.store_claims(context.store(), pack=context.settings.domain, exports=exports, **choices)
    what = {"unchanged": "computed claims unchanged", "stored": "computed claims stored",
            "replaced": "computed claims replaced"}[done.status]
    return (f"{what}: {done.claims} claims ({done.slot}, definition {done.definition}, document "
            f"{done.document_id}) from {', '.join(done.exports)}")


@patents_app.command("computed")
def computed_cmd(ctx: typer.Context, as_json: bool = _JSON) -> None:
    """The counts stored as computed claims: what each computation read and under which definition."""
    import ssbrace.patents as patents

    rows = patents.computations(app_context(ctx).store())
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in rows], indent=2, default=str))
        return
    if not rows:
        out.print("no computed claims stored (ssbrace patents count --store, or patents load --claims)")
        return
    table = Table(title=f"Computed patent claims ({len(rows)})")
    for col in ("slot", "definition", "claims", "computed", "exports", "document"):
        table.add_column(col)
    for r in rows:
        c = r.choices
        exports = "\n".join(f"{e['name']} ({e['records']:,} rows)" for e in r.exports)
        table.add_row(cell(r.slot), cell(f"{r.definition}\n{unit_label(c['unit'])}, {c['country_by']}, "
                                        f"{c['date_field']} {c['year_from']}-{c['year_to']}"),
                      str(r.claims), r.computed_at.strftime("%Y-%m-%d %H:%M"), cell(exports), str(r.document_id))
    out.print(table)


@patents_app.command("top")
def top_cmd(ctx: typer.Context, n: int = typer.Option(10, "--n", help="How many applicants."),
            unit: str | None = _UNIT, date_field: str | None = _DATE, year_from: int | None = _FROM,
            year_to: int | None = _TO, files: list[Path] = _FILE, export: list[int] = _EXPORT,
            as_json: bool = _JSON, as_csv: bool = _CSV, unconfirmed: bool = _UNCONFIRMED) -> None:
    """The top applicants of the landscape."""
    counts = _counts(app_context(ctx), "applicant", files, export,
                     _choices(unit, None, date_field, year_from, year_to, unconfirmed))
    _emit(counts, as_json, as_csv, f"Top {n} applicants", n)


@patents_app.command("growth")
def growth_cmd(ctx: typer.Context, unit: str | None = _UNIT, date_field: str | None = _DATE,
               year_from: int | None = _FROM, year_to: int | None = _TO, files: list[Path] = _FILE,
               export: list[int] = _EXPORT, as_json: bool = _JSON, as_csv: bool = _CSV,
               unconfirmed: bool = _UNCONFIRMED) -> None:
    """Units per year, the change on each year before, and compound growth over the range."""
    from ssbrace.patents.counting import growth

    counts = _counts(app_context(ctx), "year", files, export,
                     _choices(unit, None, date_field, year_from, year_to, unconfirmed))
    g = growth(counts)
    yearly = g.yearly if g else []
    extra = {"cagr": g.cagr if g else None, "yearly": [{"year": y, "count": n, "change": c} for y, n, c in yearly]}
    if as_json or as_csv:
        if as_csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(["year", "count", "change", "definition"])
            for y, n, c in yearly:
                writer.writerow([y, n, "" if c is None else f"{c:.4f}", counts.definition])
            return
        _emit(counts, True, False, "", extra=extra)
        return
    table = Table(title="Patent landscape growth")
    for col in ("year", unit_label(counts.landscape.unit), "change"):
        table.add_column(col, justify="right")
    for y, n, c in g.yearly if g else ():
        table.add_row(str(y), f"{n:,}", "" if c is None else f"{c:+.0%}")
    out.print(table)
    if g and g.cagr is not None:
        out.print(f"compound growth {g.first_year}-{g.last_year}: {g.cagr:+.1%} a year")
    out.print(plain(_footer(counts)), markup=False)
