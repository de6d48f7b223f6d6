"""The landscape counts only codes whose titles were checked against the CPC scheme; the four H01M 2300 indexing
codes are named with the reason and the scheme file's address, and counted only when asked, with a warning."""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pytest

import ssbrace.patents as patents
from ssbrace.errors import UsageError
from tests.patents.conftest import LENS
from tests.patents.test_patents_cli import run

UNCONFIRMED = {"H01M2300/0065", "H01M2300/0068", "H01M2300/0071", "H01M2300/0082"}


def lens_export(path: Path) -> Path:
    """A Lens export with the real header: one family classified only under an unconfirmed code and titled
    without a landscape keyword (Japan), one likewise but titled as a solid-state battery (South Korea), and
    one under H01M 10/0562 (China)."""
    header = LENS.read_text(encoding="utf-8").splitlines()[0].split(",")
    rows = [
        {"Jurisdiction": "JP", "Kind": "A", "Display Key": "JP 2022-030001 A", "Lens ID": "201-000-000-000-001",
         "Publication Date": "2022-03-01", "Priority Numbers": "JP 2021010001 A", "Earliest Priority Date": "2021-02-01",
         "Title": "Garnet oxide ceramic layer", "Applicants": "PANASONIC CORP", "CPC Classifications": "H01M2300/0071",
         "Simple Family Members": "JP 2022-030001 A"},
        {"Jurisdiction": "KR", "Kind": "A", "Display Key": "KR 10-2022-0001001 A", "Lens ID": "201-000-000-000-002",
         "Publication Date": "2022-06-01", "Priority Numbers": "KR 1020210050001 A", "Earliest Priority Date": "2021-05-01",
         "Title": "Solid-state battery with a polymer layer", "Applicants": "SAMSUNG SDI CO LTD",
         "CPC Classifications": "H01M2300/0082", "Simple Family Members": "KR 10-2022-0001001 A"},
        {"Jurisdiction": "CN", "Kind": "A", "Display Key": "CN 112000001 A", "Lens ID": "201-000-000-000-003",
         "Publication Date": "2021-01-05", "Priority Numbers": "CN 202010700001 A", "Earliest Priority Date": "2020-07-01",
         "Title": "Sulfide electrolyte powder", "Applicants": "CONTEMPORARY AMPEREX TECHNOLOGY CO LTD",
         "CPC Classifications": "H01M10/0562", "Simple Family Members": "CN 112000001 A"},
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for n, row in enumerate(rows, 1):
            writer.writerow({"#": n, **row})
    return path


def test_the_pack_counts_only_checked_codes_and_names_the_others():
    chosen = patents.definition()
    assert {c.code for c in chosen.codes} == {"H01M10/0562", "H01M10/0565"} and chosen.counted_unconfirmed == []
    listed = chosen.unconfirmed_codes
    assert listed is not None and {c.code for c in listed.codes} == UNCONFIRMED
    assert "no page stating them" in listed.reason and listed.scheme.endswith("cpc-scheme-H01M.xml")
    assert all("not confirmed" in c.title for c in listed.codes)
    # codes named but not counted stay out of the hash; counting them is another definition
    wider = patents.definition(unconfirmed_codes=True)
    assert {c.code for c in wider.counted_unconfirmed} == UNCONFIRMED and wider.hash != chosen.hash
    assert {c.code for c in wider.codes} == {"H01M10/0562", "H01M10/0565"} | UNCONFIRMED
    assert not chosen.code_matcher()(("H01M2300/0071",)) and wider.code_matcher()(("H01M2300/0071",))
    # loading keeps what either could count (PatentsView's tables are filtered as they load)
    assert chosen.known_codes_matcher()(("H01M2300/0068",)) and not chosen.known_codes_matcher()(("H01M10/0567",))


def test_unconfirmed_codes_count_only_when_asked(tmp_path, caplog):
    export = lens_export(tmp_path / "lens.csv")
    by_default = patents.count_files([export])
    # Japan's family has only H01M 2300/0071 and no keyword: out; Korea's has only 2300/0082 but its title
    # names a solid-state battery: in by keyword; China's has H01M 10/0562: in.
    assert {r.key: r.count for r in by_default.rows} == {"China": 1, "South Korea": 1}
    assert (by_default.read, by_default.admitted, by_default.total) == (3, 2, 2)
    with caplog.at_level(logging.WARNING, logger="ssbrace.patents"):
        asked = patents.count_files([export], unconfirmed_codes=True)
    assert {r.key: r.count for r in asked.rows} == {"China": 1, "Japan": 1, "South Korea": 1}
    assert asked.definition == patents.definition(unconfirmed_codes=True).hash != by_default.definition
    assert asked.as_dict()["unconfirmed_codes"] == sorted(UNCONFIRMED)
    assert by_default.as_dict()["unconfirmed_codes"] == []
    assert "not confirmed against the CPC scheme" in caplog.text and "H01M 2300/0071" in caplog.text


def test_the_command_line_option_warns(tmp_path):
    export = lens_export(tmp_path / "lens.csv")
    db = f"sqlite:///{tmp_path / 'kb.db'}"
    plain = run(db, "patents", "count", "--file", str(export))
    assert plain.returncode == 0 and "2 simple families in the landscape" in plain.stdout
    assert "not confirmed" not in plain.stdout + plain.stderr
    asked = run(db, "patents", "count", "--file", str(export), "--unconfirmed-codes")
    assert asked.returncode == 0 and "3 simple families in the landscape" in asked.stdout
    assert "counts 4 codes whose titles are not confirmed against the CPC scheme" in asked.stdout
    assert "WARNING" in asked.stderr and "H01M 2300/0065" in asked.stderr
    as_json = json.loads(run(db, "patents", "count", "--file", str(export), "--unconfirmed-codes", "--json").stdout)
    assert as_json["unconfirmed_codes"] == sorted(UNCONFIRMED)
    # stored and counted from the store the same way: loading kept the family only an unconfirmed code admits
    assert run(db, "patents", "load", str(export)).returncode == 0
    stored = json.loads(run(db, "patents", "count", "--unconfirmed-codes", "--json").stdout)
    assert {r["key"]: r["count"] for r in stored["rows"]} == {"China": 1, "Japan": 1, "South Korea": 1}


def test_a_pack_without_unconfirmed_codes_refuses_the_option(tmp_path):
    import shutil

    from ssbrace.domains.loader import PACKS

    pack = tmp_path / "pack"
    shutil.copytree(PACKS / "solid_state_batteries", pack)
    text = (pack / "patents.yaml").read_text(encoding="utf-8")
    start, end = text.index("unconfirmed_codes:"), text.index("# Title words")
    (pack / "patents.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert patents.definition(str(pack)).hash == patents.definition().hash
    with pytest.raises(UsageError, match="lists no unconfirmed codes"):
        patents.definition(str(pack), unconfirmed_codes=True)


def test_the_api_takes_the_choice_and_says_so(tmp_path):
    import httpx

    from ssbrace.kb.store import Store
    from ssbrace.settings import Settings
    from ssbrace.web.app import create_app
    from tests.fixtures.web_server import ServerThread

    db = f"sqlite:///{tmp_path / 'kb.db'}"
    store = Store(db)
    try:
        patents.load(store, [lens_export(tmp_path / "lens.csv")])
    finally:
        store.dispose()
    app = create_app(Settings(db=db))
    try:
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            plain = client.get("/api/v1/patents/counts").json()
            asked = client.get("/api/v1/patents/counts", params={"unconfirmed_codes": "true"}).json()
            csv_rows = client.get("/api/v1/patents/counts.csv", params={"unconfirmed_codes": "true"}).text.splitlines()
    finally:
        app.state.ssbrace.close()
    assert (plain["total"], plain["unconfirmed_codes"]) == (2, [])
    assert asked["total"] == 3 and asked["unconfirmed_codes"] == sorted(UNCONFIRMED)
    assert asked["definition"] == patents.definition(unconfirmed_codes=True).hash != plain["definition"]
    assert len(csv_rows) == 4 and all(r.endswith(asked["definition"]) for r in csv_rows[1:])
