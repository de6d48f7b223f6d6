"""The seeds' disagreement (issue 9, part 5): two reports, eight months apart, that cannot both hold.

Article A (a research note re-reported by a trade outlet, 2025-01-03) says South Korea will overtake
Japan in commercialising solid-state batteries; article B (a news brief, 2025-09-16) says South Korea
trails Japan and China in bringing them to market. Both are our own words (tests/data/seeds_like/),
built like the two real reports. Ingested into a fresh store, the standing conflict South Korea vs
Japan must show in ``ssbrace conflicts`` (text and JSON), on the web conflicts page and in the API.
"""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from ssbrace.settings import Settings
from ssbrace.web.app import create_app
from tests.fixtures.web_server import ServerThread

SSBRACE = str(Path(sys.executable).with_name("ssbrace"))
DATA = Path(__file__).resolve().parents[1] / "data" / "seeds_like"
OVERTAKE = DATA / "2025-01-03-korea-to-overtake.txt"
TRAILS = DATA / "2025-09-16-korea-trails.txt"
SENTENCE_A = ("South Korea is likely to overtake Japan in commercialising solid-state batteries, the firm wrote "
              "in the report, which was shared with Cell Industry Daily this week.")
SENTENCE_B = ("South Korea lags behind Japan and China in bringing solid-state batteries to market, according to "
              "a review of industry data and recent company announcements.")
SOURCE_A, SOURCE_B = "Cell Industry Daily", "Asia Battery Wire"
KOREA_AHEAD, JAPAN_AHEAD = "South Korea ahead of Japan", "Japan ahead of South Korea"


def run(tmp: Path, db: str | None, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(HOME=str(tmp / "home"), XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"),
               SSBRACE_CONFIG=str(tmp / "no-config.toml"), COLUMNS="400")
    for name in ("SSBRACE_DB", "SSBRACE_DOMAIN"):
        env.pop(name, None)
    head = [SSBRACE, "--db", db] if db else [SSBRACE]
    return subprocess.run([*head, *args], env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, str]:
    """A fresh SQLite store holding both articles, ingested (and extracted) by the real console script."""
    tmp = tmp_path_factory.mktemp("seeds")
    db = f"sqlite:///{tmp / 'seeds.db'}"
    done = run(tmp, db, "ingest", str(OVERTAKE), str(TRAILS))
    assert done.returncode == 0, done.stderr
    assert "totals: new 2, duplicate 0, near duplicate 0, failed 0" in done.stdout
    return tmp, db


def _standings(tmp: Path, path: Path) -> set[tuple]:
    res = run(tmp, None, "extract", "--jsonl", str(path))
    assert res.returncode == 0, res.stderr
    claims = [json.loads(line) for line in res.stdout.splitlines() if line.strip()]
    return {(c["subject"], c["relation"], c["object"], c["aspect"], c["evidence"]["sentence"])
            for c in claims if c["kind"] == "standing"}


def test_extract_gives_the_two_opposite_standings(tmp_path) -> None:
    assert ("South Korea", "overtakes", "Japan", "commercialization", SENTENCE_A) in _standings(tmp_path, OVERTAKE)
    trails = _standings(tmp_path, TRAILS)
    assert ("South Korea", "trails", "Japan", "commercialization", SENTENCE_B) in trails
    assert ("South Korea", "trails", "China", "commercialization", SENTENCE_B) in trails


def _korea_japan(conflicts: list[dict]) -> list[dict]:
    return [c for c in conflicts if c["type"] == "standing"
            and {s["label"] for s in c["sides"]} == {KOREA_AHEAD, JAPAN_AHEAD}]


def test_cli_conflicts_show_the_standing_conflict(seeded) -> None:
    tmp, db = seeded
    res = run(tmp, db, "conflicts")
    assert res.returncode == 0, res.stderr
    text = res.stdout
    assert "CONFLICT (standing) Japan: standing in commercialization (2025)" in text
    assert KOREA_AHEAD in text and JAPAN_AHEAD in text
    assert f"{SENTENCE_A} ({SOURCE_A}, 2025-01-03;" in text
    assert f"{SENTENCE_B} ({SOURCE_B}, 2025-09-16;" in text
    # Korea is said to trail China too, but nobody says otherwise: that is no conflict.
    assert "China ahead of South Korea" not in text and "South Korea ahead of China" not in text
    # The only standing conflict. (The two reports also give Seoul's research money for 2025 two different
    # figures, 130 billion won over five years and 120 billion won of new support: a number conflict the
    # extractor has read since session 3, not a standing one.)
    assert text.count("CONFLICT (standing)") == 1

    data = json.loads(run(tmp, db, "conflicts", "--json").stdout)
    [conflict] = _korea_japan(data)
    assert conflict["topic"] == "standing in commercialization" and conflict["period"] == "2025"
    sides = {s["label"]: s["claims"] for s in conflict["sides"]}
    def told(c: dict) -> tuple[str, str, str]:
        return c["evidence"]["sentence"], c["source"]["name"], c["seen"]

    assert [told(c) for c in sides[KOREA_AHEAD]] == [(SENTENCE_A, SOURCE_A, "2025-01-03")]
    assert [told(c) for c in sides[JAPAN_AHEAD]] == [(SENTENCE_B, SOURCE_B, "2025-09-16")]


@pytest.fixture(scope="module")
def web(seeded):  # type: ignore[no-untyped-def]
    app = create_app(Settings(db=seeded[1]))
    try:
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            yield client
    finally:
        app.state.ssbrace.close()


def test_web_conflicts_page_shows_it(web) -> None:  # type: ignore[no-untyped-def]
    page = web.get("/conflicts")
    assert page.status_code == 200
    body = html.unescape(page.text)
    assert "No conflicts." not in body
    for text in (KOREA_AHEAD, JAPAN_AHEAD, SENTENCE_A, SENTENCE_B, SOURCE_A, SOURCE_B, "standing"):
        assert text in body, text


def test_api_conflicts_show_it(web) -> None:  # type: ignore[no-untyped-def]
    body = web.get("/api/v1/conflicts").json()
    [conflict] = _korea_japan(body["conflicts"])
    assert conflict["kind"] == "standing" and conflict["period"] == "2025"
    sides = {s["label"]: s for s in conflict["sides"]}
    assert sides[KOREA_AHEAD]["sources"] == [SOURCE_A] and sides[JAPAN_AHEAD]["sources"] == [SOURCE_B]
    assert [c["evidence"]["sentence"] for c in sides[KOREA_AHEAD]["claims"]] == [SENTENCE_A]
    assert [c["evidence"]["sentence"] for c in sides[JAPAN_AHEAD]["claims"]] == [SENTENCE_B]
    # A standing dispute belongs to both countries: the filter finds it under either.
    assert _korea_japan(web.get("/api/v1/conflicts", params={"entity": "Japan"}).json()["conflicts"])
    assert _korea_japan(web.get("/api/v1/conflicts", params={"entity": "South Korea"}).json()["conflicts"])
    assert not web.get("/api/v1/conflicts", params={"entity": "Germany"}).json()["conflicts"]


def test_both_country_pages_list_it(web) -> None:  # type: ignore[no-untyped-def]
    for country in ("South Korea", "Japan"):
        body = html.unescape(web.get(f"/countries/{country}").text)
        assert 'id="conflicts"' in body and KOREA_AHEAD in body and JAPAN_AHEAD in body, country
