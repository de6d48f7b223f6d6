"""The public API (``import ssbrace``): each name on a temporary store with a bundled example article."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

import ssbrace

ARTICLE = (Path(ssbrace.__file__).parent / "domains" / "solid_state_batteries" / "examples"
           / "04-samsung-sdi-2027-target.html")


@pytest.fixture
def settings(db_url) -> ssbrace.Settings:
    return ssbrace.Settings(db=db_url)


@pytest.fixture
def filled(settings):
    """A store holding the one example article, ingested through the public API."""
    store = ssbrace.open_store(settings=settings)
    result = ssbrace.ingest(store, ARTICLE, settings=settings)
    yield store, result
    store.dispose()


def test_import_loads_nothing_heavy_and_names_every_export():
    probe = ("import json, sys, ssbrace; "
             "print(json.dumps({'all': ssbrace.__all__, 'dir': dir(ssbrace), 'modules': sorted(sys.modules)}))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    loaded = {m.partition(".")[0] for m in report["modules"]}
    assert not loaded & {"sqlalchemy", "sklearn", "trafilatura", "numpy", "yaml", "pydantic", "typer", "rich"}
    assert set(report["all"]) == {"Settings", "__version__", "extract_claims", "ingest", "knowledge", "load_domain",
                                  "open_store", "reextract", "update"}
    assert set(report["all"]) <= set(report["dir"])
    for name in ssbrace.__all__:
        assert getattr(ssbrace, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ssbrace.nope  # noqa: B018


def test_py_typed_marker_ships():
    assert (Path(ssbrace.__file__).parent / "py.typed").is_file()


def test_open_store_takes_a_path_or_a_url(tmp_path):
    by_path = ssbrace.open_store(tmp_path / "kb.db")
    assert by_path.url == f"sqlite:///{tmp_path / 'kb.db'}"
    assert (tmp_path / "kb.db").is_file()  # created and migrated on open
    by_url = ssbrace.open_store(by_path.url)
    assert by_url.url == by_path.url
    for store in (by_path, by_url):
        store.dispose()


def test_ingest_stores_the_article_with_its_claims_and_is_idempotent(filled, settings):
    store, result = filled
    assert result.counts()["new"] == 1 and result.ok
    assert result.items[0].claims >= 3
    again = ssbrace.ingest(store, [str(ARTICLE)], settings=settings)
    assert again.counts()["duplicate"] == 1


def test_knowledge_gives_facts_ledgers_boards_and_rows(filled, settings):
    store, _ = filled
    k = ssbrace.knowledge(store, settings=settings)
    assert {r.subject for r in k.records} == {"Samsung SDI"}
    assert k.facts and all(f.key.entity == "Samsung SDI" for f in k.facts)
    assert k.conflicts == []  # one article does not disagree with itself
    assert [led.entity for led in k.ledgers] and {led.entity for led in k.ledgers} == {"Samsung SDI"}
    assert [row.entity for row in k.board("company").rows] == ["Samsung SDI"]
    claims = k.claim_rows()
    assert len(claims) == len(k.records) and "extra" not in claims[0]
    assert claims[0]["source"] == str(ARTICLE)
    facts = k.fact_rows()
    assert len(facts) == len(k.facts)
    density = next(f for f in facts if f["unit"] == "Wh/L")
    assert density["value"] == 900.0 and density["display"] == "900 Wh/L" and density["agree"] is True
    # the rows hold plain values only: a data frame or json.dumps takes them as they are
    json.dumps(claims + facts, default=str)


def test_knowledge_with_a_pack_object_and_weights(filled):
    store, _ = filled
    pack = ssbrace.load_domain("solid_state_batteries")
    k = ssbrace.knowledge(store, domain=pack, weights={"target_companies": 2.0})
    assert k.pack is pack
    assert k.board("company").weights["target_companies"] == 2.0


def test_update_polls_the_source_the_ingest_registered(filled, settings):
    store, _ = filled
    result = ssbrace.update(store, settings=settings)
    assert [item.status for item in result.items] == ["unchanged"]  # stored already as it is (issue 14)


def test_reextract_redoes_every_document_on_request(filled, settings):
    store, result = filled
    assert ssbrace.reextract(store, settings=settings).documents == 0  # nothing outdated
    redone = ssbrace.reextract(store, settings=settings, only_outdated=False)
    assert (redone.documents, redone.claims, redone.failed, redone.failures) == (1, result.items[0].claims, 0, [])


def test_extract_claims_needs_no_store():
    claims = ssbrace.extract_claims(ARTICLE.read_text(encoding="utf-8"), doc="sdi.html")
    assert claims and {c.doc for c in claims} == {"sdi.html"}
    assert any(c.kind == "target" and c.subject == "Samsung SDI" and c.year == 2027 for c in claims)


def test_settings_are_the_command_line_settings():
    settings = ssbrace.Settings(db="sqlite:///x.db", max_bytes=5)
    assert (settings.db, settings.max_bytes, settings.domain) == ("sqlite:///x.db", 5, "solid_state_batteries")


def test_the_library_logs_under_ssbrace_and_shows_nothing_by_itself(settings, caplog):
    assert any(isinstance(h, logging.NullHandler) for h in logging.getLogger("ssbrace").handlers)
    with caplog.at_level(logging.INFO, logger="ssbrace"):
        store = ssbrace.open_store(settings=settings)
        ssbrace.ingest(store, ARTICLE, settings=settings)
        store.dispose()
    messages = [(r.name, r.getMessage()) for r in caplog.records]
    assert ("ssbrace.kb.store", f"migrating {settings.db} to the newest schema") in messages
    assert ("ssbrace.documents.ingest", f"{ARTICLE}: new") in messages
    assert any(name == "ssbrace.api" and msg.startswith("ingested 1 input(s)") for name, msg in messages)
