"""``ssbrace demo``: the main job on the bundled data, end to end, in one command."""

from __future__ import annotations

from pathlib import Path

import typer

from ssbrace.cli.context import app_context, out, plain
from ssbrace.cli.ingest_cmds import ingest_cmd
from ssbrace.cli.kb_cmds import board_cmd, conflicts_cmd, load_reference_cmd, report_cmd
from ssbrace.cli.main import app


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    out_path: Path = typer.Option(Path("report.html"), "--out", help="Where to write the HTML report."),
) -> None:
    """The main job on the bundled data: ingest, reference claims, scoreboards, conflicts, report.

    Safe to re-run: nothing is stored twice.
    """
    from ssbrace.domains.loader import load_domain

    context = app_context(ctx)
    examples = load_domain(context.settings.domain).path / "examples"
    out.print(plain(f"store: {context.store().display_url}"), markup=False)
    out.rule("1. ingest the bundled example articles (claims are extracted as they are stored)")
    ingest_cmd(ctx, inputs=[str(examples)], allow_private=False, max_bytes=None, name=None, as_json=False,
               workers=None, scheduler=None)
    out.rule("2. load the reference claims gathered from public reporting")
    load_reference_cmd(ctx, file=None)
    out.rule("3. scoreboard by country")
    board_cmd(ctx, by="country", weight=[], as_json=False)
    out.rule("4. scoreboard by company (top of the ranking)")
    board_cmd(ctx, by="company", weight=[], as_json=False)
    out.rule("5. where the sources disagree")
    conflicts_cmd(ctx, as_json=False, scope=False)
    out.rule("6. report")
    report_cmd(ctx, out_path=out_path, fmt="html", weight=[])
    out.print(
        "next: `ssbrace roadmap Toyota`, `ssbrace check`, `ssbrace stories`, "
        "`ssbrace serve` then open http://127.0.0.1:8000"
    )
