"""The knowledge report: one self-contained HTML file (inline SVG charts), or the same content as
Markdown, CSV or JSON. Every figure carries footnote links to the documents it rests on.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from ssbrace.analysis.bundle import Knowledge
from ssbrace.analysis.checks import Finding
from ssbrace.analysis.conflicts import Conflict
from ssbrace.analysis.facts import format_value
from ssbrace.analysis.roadmaps import Ledger
from ssbrace.analysis.scoreboard import Board, shown_score
from ssbrace.delivery import charts
from ssbrace.delivery.formats import FORMATS, chosen_format
from ssbrace.delivery.records import to_json
from ssbrace.errors import InputError, UsageError
from ssbrace.kb.records import ClaimRecord


@dataclass(frozen=True)
class Source:
    number: int
    document_id: int
    title: str
    publisher: str
    published: date | None
    link: str


@dataclass
class Footnotes:
    """Numbers sources in order of first citation; ``cite`` returns the numbers of some claims' documents."""

    by_doc: dict[int, Source] = field(default_factory=dict)

    def cite(self, claims: Iterable[ClaimRecord]) -> list[int]:
        numbers = []
        for c in claims:
            if c.document_id not in self.by_doc:
                self.by_doc[c.document_id] = Source(len(self.by_doc) + 1, c.document_id, c.title or c.link,
                                                    c.publisher or "", c.published, c.link)
            n = self.by_doc[c.document_id].number
            if n not in numbers:
                numbers.append(n)
        return sorted(numbers)

    def tooltip(self, claims: Iterable[ClaimRecord]) -> str:
        return "sources: " + "; ".join(sorted({c.source_name for c in claims}))

    @property
    def sources(self) -> list[Source]:
        return sorted(self.by_doc.values(), key=lambda s: s.number)


def _is_link(target: str) -> bool:
    return target.startswith(("http://", "https://"))


# The report's sections are the records' one JSON shape (``delivery.records.to_json``), each claim and figure
# with ``refs`` added: the numbers of its sources in this report's footnotes.


def _with_refs(claims: list[dict[str, Any]], records: Iterable[ClaimRecord], notes: Footnotes) -> None:
    for data, c in zip(claims, records, strict=True):
        data["refs"] = notes.cite([c])


def _conflict_view(conflict: Conflict, notes: Footnotes) -> dict[str, Any]:
    data = to_json(conflict)
    for side, s in zip(data["sides"], conflict.sides, strict=True):
        _with_refs(side["claims"], s.claims, notes)
    return data


def _finding_view(finding: Finding, notes: Footnotes) -> dict[str, Any]:
    data = to_json(finding)
    data["refs"] = notes.cite(finding.claims)
    _with_refs(data["claims"], finding.claims, notes)
    return data


def _ledger_view(ledger: Ledger, notes: Footnotes) -> dict[str, Any]:
    data = to_json(ledger)
    _with_refs(data["entries"], (e.claim for e in ledger.entries), notes)
    return data


def _board_view(board: Board, notes: Footnotes) -> dict[str, Any]:
    data = to_json(board)
    for row, r in zip(data["rows"], board.rows, strict=True):
        row["score"] = r.score  # the full figure (0..1): shown once, on 0-100, by ``shown_score``
        for name, _, _ in board.columns:
            if (ind := r.indicators.get(name)) is not None:
                row["indicators"][name]["refs"] = notes.cite(ind.claims)
    # Columns no entity has a figure for are left out of the table (they still appear in the explanation).
    data["columns"] = [n for n, _, _ in board.columns if any(r["indicators"][n] for r in data["rows"])]
    return data


def _bars(board: Board, name: str, notes: Footnotes, limit: int = 12) -> list[charts.Bar]:
    bars = []
    for row in board.rows:
        ind = row.indicators.get(name)
        if ind is not None and ind.value > 0:
            refs = notes.cite(ind.claims)
            bars.append(charts.Bar(row.entity, ind.value, ind.display, f"#src-{refs[0]}" if refs else "",
                                   notes.tooltip(ind.claims)))
    return sorted(bars, key=lambda b: -b.value)[:limit]


def _share_series(k: Knowledge, segment: str, entity_types: set[str], notes: Footnotes, limit: int = 8) -> list[charts.Series]:
    points: dict[str, list[tuple[float, float, str, str]]] = defaultdict(list)
    for f in k.facts:
        if f.key.kind == "market_share" and f.key.dimension == segment and f.key.year is not None \
                and f.value is not None and f.entity_type in entity_types:
            year = (f.key.year + (f.key.year_end or f.key.year)) / 2
            refs = notes.cite(f.claims)
            tip = f"{f.key.entity} {f.period}: {format_value(f.value, '%', f.bound)}; {notes.tooltip(f.claims)}"
            points[f.key.entity].append((year, float(f.value), f"#src-{refs[0]}" if refs else "", tip))
    ranked = sorted(points.items(), key=lambda kv: (-len(kv[1]), -max(p[1] for p in kv[1])))[:limit]
    return [charts.Series(entity, tuple(pts)) for entity, pts in ranked]


def _timeline_rows(ledgers: Sequence[Ledger], notes: Footnotes, limit: int = 40) -> list[charts.TimelineRow]:
    # Ledgers stated by two or more documents are the ones that can move; moved ones first.
    chosen = [led for led in ledgers if len({e.claim.document_id for e in led.entries}) > 1]
    chosen.sort(key=lambda led: (-(led.slips + led.pull_ins), led.entity, led.stage))
    chosen = sorted(chosen[:limit], key=lambda led: (led.entity, led.stage))
    rows = []
    for led in chosen:
        pts = tuple(charts.TimelinePoint(e.midpoint, e.target, e.move, e.reported.isoformat() if e.reported else "?",
                                         f"#src-{notes.cite([e.claim])[0]}", e.claim.source_name)
                    for e in led.entries)
        note = f"{led.moved:+.1f} y" if led.moved else "held"
        rows.append(charts.TimelineRow(f"{led.entity} · {led.stage.replace('_', ' ')}", pts, note))
    return rows


def report_data(k: Knowledge, generated: date | None = None) -> dict[str, Any]:
    """Everything the report shows, as plain data (the JSON export is this, without the SVG)."""
    notes = Footnotes()
    country, company = k.board("country"), k.board("company")
    segment = k.config.board.get("market_share_segment", "")
    data: dict[str, Any] = {
        "generated": (generated or date.today()).isoformat(),
        "domain": k.pack.name,
        "counts": {"claims": len(k.records), "documents": len({c.document_id for c in k.records}),
                   "publishers": len({c.source_name for c in k.records}), "facts": len(k.facts),
                   "conflicts": sum(c.type != "scope" for c in k.conflicts),
                   "scope_differences": sum(c.type == "scope" for c in k.conflicts),
                   "findings": len(k.findings), "ledgers": len(k.ledgers),
                   "slips": sum(m.entry.move == "slip" for m in k.moves),
                   "pull_ins": sum(m.entry.move == "pull_in" for m in k.moves)},
        "boards": [_board_view(country, notes), _board_view(company, notes)],
        "conflicts": [_conflict_view(c, notes) for c in k.conflicts if c.type != "scope"],
        "scope_differences": [_conflict_view(c, notes) for c in k.conflicts if c.type == "scope"],
        "findings": [_finding_view(f, notes) for f in k.findings],
        "ledgers": [_ledger_view(led, notes) for led in k.ledgers],
        "market_segment": segment,
    }
    data["charts"] = {
        "patents": charts.bar_chart(_bars(country, "patents", notes), "Patents by country",
                                    f"patents ({country.notes.get('patents', '')})"),
        "patent_share": charts.bar_chart(_bars(country, "patent_share", notes), "Patent share by country",
                                         f"% of world filings ({country.notes.get('patent_share', '')})",
                                         charts.PALETTE[3], unit="%"),
        "funding": charts.bar_chart(_bars(country, "funding", notes), "Public funding by country",
                                    "US dollars, summed over programmes", charts.PALETTE[2], unit="USD"),
        "timeline": charts.timeline(_timeline_rows(k.ledgers, notes), "Target ledger: stated target year by report"),
        "share_companies": charts.line_chart(_share_series(k, segment, {"company"}, notes),
                                             f"Market share over time: companies ({segment.replace('_', ' ')})",
                                             "share, %", width=600, unit="%"),
        "share_countries": charts.line_chart(_share_series(k, segment, {"country", "region"}, notes),
                                             f"Market share over time: countries ({segment.replace('_', ' ')})",
                                             "share, %", width=600, unit="%"),
    }
    data["sources"] = [{"number": s.number, "title": s.title, "publisher": s.publisher,
                        "published": s.published.isoformat() if s.published else "", "link": s.link,
                        "is_url": _is_link(s.link)} for s in notes.sources]
    data["indicators"] = [{"name": i.name, "label": i.label} for i in k.config.indicators]
    return data


def _env() -> Environment:
    env = Environment(loader=PackageLoader("ssbrace.delivery", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: f"{v * 100:.0f}"
    env.filters["score"] = shown_score
    return env


def render_html(data: dict[str, Any]) -> str:
    return _env().get_template("report.html.j2").render(**data)


def render_json(data: dict[str, Any]) -> str:
    plain = {k: v for k, v in data.items() if k != "charts"}
    return json.dumps(plain, indent=2, ensure_ascii=False, default=str)


def _md_cell(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _words(name: str) -> str:
    return name.replace("_", " ")


def _refs_md(refs: Sequence[int]) -> str:
    return "".join(f"[^{n}]" for n in refs)


def render_md(data: dict[str, Any]) -> str:
    """The report as Markdown: tables, footnote references and the source list."""
    out = [f"# Solid-state battery race: knowledge report ({data['generated']})", ""]
    c = data["counts"]
    out += [f"{c['claims']} claims from {c['documents']} documents ({c['publishers']} publishers); {c['facts']} facts, "
            f"{c['conflicts']} conflicts, {c['scope_differences']} scope differences, {c['findings']} consistency "
            f"findings, {c['slips']} target slips and {c['pull_ins']} pull-ins.", ""]
    for board in data["boards"]:
        out += [f"## Scoreboard by {board['by']}", "", board["explanation"], ""]
        names = [i["name"] for i in data["indicators"]]
        out.append("| # | " + board["by"] + " | score (0-100) | " + " | ".join(board["labels"][n] for n in names) + " |")
        out.append("|---|---|---|" + "---|" * len(names))
        for row in board["rows"]:
            cells = []
            for n in names:
                cell = row["indicators"][n]
                cells.append("" if cell is None else f"{_md_cell(cell['display'])} ({cell['sources']} src){_refs_md(cell['refs'])}")
            out.append(f"| {row['rank']} | {_md_cell(row['entity'])} | {shown_score(row['score'])} | " + " | ".join(cells) + " |")
        out.append("")
    for title, key in (("Conflicts", "conflicts"), ("Scope differences", "scope_differences")):
        out += [f"## {title}", ""]
        for item in data[key]:
            out.append(f"### {_md_cell(item['entity'])}: {_md_cell(item['topic'])} ({item['period']})")
            for side in item["sides"]:
                out.append(f"- **{_md_cell(side['label'])}**")
                for cl in side["claims"]:
                    out.append(f"  - {_md_cell(cl['evidence']['sentence'])} ({_md_cell(cl['source']['name'])}, "
                               f"{_iso(cl['seen'])}){_refs_md(cl['refs'])}")
            out.append("")
    out += ["## Consistency findings", ""]
    for f in data["findings"]:
        refs = sorted({n for cl in f["claims"] for n in cl["refs"]})
        out.append(f"- **{f['check']}**: {_md_cell(f['summary'])}{_refs_md(refs)}")
    out += ["", "## Target ledger", "", "| company | stage | reported | target | move | source |", "|---|---|---|---|---|---|"]
    for led in data["ledgers"]:
        for e in led["entries"]:
            out.append(f"| {_md_cell(led['entity'])} | {_words(led['stage'])} | {_iso(e['reported'])} | {e['target']} | "
                       f"{_words(e['move'])} | {_md_cell(e['source'])}{_refs_md(e['refs'])} |")
    out += ["", "## Sources", ""]
    for s in data["sources"]:
        out.append(f"[^{s['number']}]: {_md_cell(s['publisher'])}, \"{_md_cell(s['title'])}\", {s['published']}, {s['link']}")
    return "\n".join(out) + "\n"


CSV_FIELDS = ("section", "entity", "item", "value", "period", "sources", "detail", "refs")


def render_csv(data: dict[str, Any]) -> str:
    """The report as one CSV table; ``section`` says which part a row belongs to."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS)
    writer.writeheader()

    def row(**kw: Any) -> None:
        kw["refs"] = " ".join(str(n) for n in kw.get("refs", []))
        writer.writerow({k: kw.get(k, "") for k in CSV_FIELDS})

    for board in data["boards"]:
        for r in board["rows"]:
            row(section=f"board_{board['by']}", entity=r["entity"], item="score (0-100)", value=f"{r['score'] * 100:.2f}",
                detail=f"rank {r['rank']}")
            for name, cell in r["indicators"].items():
                if cell:
                    row(section=f"board_{board['by']}", entity=r["entity"], item=name, value=cell["display"],
                        period=cell["note"], sources=cell["sources"], refs=cell["refs"])
    for key in ("conflicts", "scope_differences"):
        for item in data[key]:
            for side in item["sides"]:
                for cl in side["claims"]:
                    row(section=key, entity=item["entity"], item=item["topic"], value=side["label"],
                        period=item["period"], sources=cl["source"]["name"], detail=cl["evidence"]["sentence"],
                        refs=cl["refs"])
    for f in data["findings"]:
        row(section="findings", entity=f["entity"], item=f["check"], detail=f["summary"],
            refs=sorted({n for cl in f["claims"] for n in cl["refs"]}))
    for led in data["ledgers"]:
        for e in led["entries"]:
            row(section="ledger", entity=led["entity"], item=_words(led["stage"]), value=e["target"],
                period=_iso(e["reported"]), sources=e["source"], detail=_words(e["move"]), refs=e["refs"])
    for s in data["sources"]:
        row(section="sources", entity=s["publisher"], item=s["title"], period=s["published"], detail=s["link"],
            refs=[s["number"]])
    return buf.getvalue()


RENDERERS = {"html": render_html, "md": render_md, "csv": render_csv, "json": render_json}


SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json"}


def format_for(out_path: Path | str | None, fmt: str | None) -> str:
    """The report format: as asked, else told by the file's suffix, else HTML (standard output)."""
    return chosen_format(out_path, fmt, formats=[f for f in FORMATS if f in RENDERERS], suffixes=SUFFIXES,
                         default="html", what="a report")


def report_text(k: Knowledge, fmt: str = "html") -> str:
    """The report of this knowledge (``pipeline.build_knowledge``) in one of FORMATS."""
    if fmt not in RENDERERS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not k.records:
        raise InputError("the store holds no claims: run `ssbrace load-reference` or `ssbrace extract` first")
    return RENDERERS[fmt](report_data(k))


def render_report(k: Knowledge, out_path: Path | str, fmt: str | None = None) -> Path:
    """Write the report of this knowledge to ``out_path`` in one of FORMATS (default: from the file's
    suffix); returns the path."""
    text = report_text(k, format_for(out_path, fmt))
    path = Path(out_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)  # a reader never sees half a report
    except OSError as exc:
        raise InputError(f"cannot write report {path}: {exc.strerror or exc}") from None
    return path

