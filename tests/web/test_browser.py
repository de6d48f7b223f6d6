"""End to end in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Opens every page against a real uvicorn server, clicks from the scoreboard to a company to a claim's
evidence and lands on the highlighted sentence; saves screenshots under tests/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.fixtures.web_server import HOSTILE_NAME, HOSTILE_TITLE

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                       "(apt-get install chromium)"),
]
playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, web_server):  # type: ignore[no-untyped-def]
    """A fresh page that fails the test on any dialog (an alert means injected script ran) or off-site request."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=web_server)
    tab = context.new_page()
    problems: list[str] = []
    tab.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    tab.on("pageerror", lambda e: problems.append(f"script error: {e}"))

    def guard(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(web_server):
            route.continue_()
        else:  # every asset must come from the app itself
            problems.append(f"off-site request: {route.request.url}")
            route.abort()

    tab.route("**/*", guard)
    tab.problems = problems  # type: ignore[attr-defined]
    yield tab
    context.close()
    assert problems == []


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_scoreboard_to_company_to_evidence(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/?by=company")
    assert page.locator("h1").inner_text().startswith("Scoreboard")
    assert page.locator("table.board tbody tr").count() >= 5
    assert page.locator("svg").count() >= 1  # the score chart, drawn inline
    shot(page, "01-scoreboard-company")
    first = page.locator("table.board tbody tr").first.locator("td").nth(1).locator("a")
    company = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/companies/"))
    assert page.locator("h1").inner_text().startswith(company)
    shot(page, "02-company")
    evidence = page.locator("#claims td.sentence a").first
    sentence = evidence.inner_text().strip("“”")
    evidence.click()
    page.wait_for_url(re.compile(r"/documents/\d+#claim-\d+"))
    claim_id = page.url.rsplit("#claim-", 1)[1]
    current = page.locator("mark.current")
    assert current.count() >= 1
    assert claim_id in current.first.get_attribute("data-claims").split()
    assert sentence[:40] in " ".join(current.all_inner_texts())
    assert current.first.is_visible()
    shot(page, "03-document-evidence")


def test_company_page_shows_slip_and_partnership(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/companies/Calderon%20Cells")
    assert "slip" in page.locator("#targets").inner_text()
    assert page.locator("#targets svg circle").count() >= 2  # the timeline chart
    assert "Brightwater Materials" in page.locator("#partnerships").inner_text()
    shot(page, "04-company-ledger")


def test_every_page_opens(page) -> None:  # type: ignore[no-untyped-def]
    for path, name in [("/", "05-scoreboard-country"), ("/countries", "06-countries"), ("/countries/Japan", "07-country"),
                       ("/companies", "08-companies"), ("/stories", "09-stories"), ("/stories/1", "10-story"),
                       ("/conflicts", "11-conflicts"), ("/claims?kind=target", "12-claims"), ("/documents", "13-documents"),
                       ("/search?q=sulfide+electrolyte", "14-search"), ("/api/docs", "15-api-docs"),
                       ("/patents", "16-patents"), ("/watches", "19-watches"), ("/sources", "20-sources")]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert page.locator("nav[aria-label=main] a").count() == 10
        shot(page, name)


def test_search_marks_matches(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.fill(".quick-search input", "Calderon")
    page.press(".quick-search input", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=Calderon"))
    assert page.locator(".hits mark").count() >= 2
    assert "Calderon" in page.locator(".hits mark").first.inner_text()


def test_table_sorting(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/companies")
    header = page.locator("table.sortable th", has_text="Claims")
    header.click()  # numeric columns sort largest first
    counts = [int(c.replace(",", "")) for c in page.locator("table.sortable tbody tr td:nth-child(6)").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    header.click()
    counts = [int(c.replace(",", "")) for c in page.locator("table.sortable tbody tr td:nth-child(6)").all_inner_texts()]
    assert counts == sorted(counts)


def test_hostile_text_stays_text(page, web_data) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"/documents/{web_data.hostile_doc}")
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.locator("script:not([src])").count() == 0
    assert page.locator("img[src=x]").count() == 0
    assert page.locator(".docmeta a[href^='javascript']").count() == 0
    shot(page, "16-hostile-document")
    page.goto(f"/companies/{quote(HOSTILE_NAME, safe='')}")
    assert page.locator("h1").inner_text().startswith(HOSTILE_NAME)
    assert page.locator("img[src=x]").count() == 0
    shot(page, "17-hostile-company")
    page.goto("/?by=company")
    assert page.locator("img[src=x]").count() == 0


def _overlaps(boxes: list[dict]) -> list[tuple[float, float]]:
    """Pairs of neighbouring axis labels (same baseline) whose boxes overlap horizontally."""
    rows: dict[int, list[dict]] = {}
    for box in boxes:
        rows.setdefault(round(box["y"]), []).append(box)
    found = []
    for row in rows.values():
        row.sort(key=lambda b: b["x"])
        found += [(a["x"], b["x"]) for a, b in zip(row, row[1:], strict=False) if a["x"] + a["width"] > b["x"]]
    return found


def test_charts_are_readable(page) -> None:  # type: ignore[no-untyped-def]
    """Money ticks in $m/$bn, never 2.5e+09; year labels that do not run together (issue 14)."""
    for path, name in [("/countries/Japan", "17-country-charts"), ("/companies/Calderon%20Cells", "18-company-charts")]:
        page.goto(path)
        labels = page.eval_on_selector_all(
            "svg text", "els => els.map(e => { const r = e.getBoundingClientRect(); "
            "return {text: e.textContent, x: r.x, y: r.y, width: r.width}; })")
        assert labels, path
        assert not [t["text"] for t in labels if re.search(r"\de[+-]\d", t["text"])], path
        years = [t for t in labels if re.fullmatch(r"(19|20)\d\d", t["text"].strip())]
        assert years, path
        assert not _overlaps(years), path
        shot(page, name)
