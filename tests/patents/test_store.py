"""Loading exports into the store: idempotent, transactional, and counted as from the files."""

from __future__ import annotations

import pytest

import ssbrace.patents as patents
from ssbrace.errors import InputError
from ssbrace.kb import patents_repo
from ssbrace.kb.store import Store
from tests.patents.conftest import GOOGLE_JSONL, LENS, PATENTSVIEW


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'kb.db'}")
    yield s
    s.dispose()


def test_load_is_idempotent_by_content(store, tmp_path, gz):
    first = patents.load(store, [LENS, GOOGLE_JSONL, *PATENTSVIEW])
    assert [(r.format, r.status, r.records) for r in first] == [
        ("lens", "loaded", 11), ("google", "loaded", 6), ("patentsview", "loaded", 3)]
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(LENS.read_bytes())
    again = patents.load(store, [copy, GOOGLE_JSONL])
    assert [r.status for r in again] == ["already loaded", "already loaded"]
    assert patents_repo.record_count(store) == 20
    assert patents.load(store, [gz(LENS)])[0].status == "loaded"  # other bytes: another export


def test_stored_counts_equal_file_counts(store):
    patents.load(store, [LENS])
    for by in ("country", "applicant", "year"):
        for unit in ("publication", "simple_family", "extended_family"):
            stored = patents.count(store, by, unit=unit)
            direct = patents.count_files([LENS], by, unit=unit)
            assert stored.rows == direct.rows and stored.definition == direct.definition


def test_a_file_failing_half_way_leaves_nothing(store, tmp_path):
    lines = LENS.read_text(encoding="utf-8").splitlines()
    broken = tmp_path / "broken.csv"
    broken.write_text("\n".join([*lines[:5], lines[5] + ",shifted", *lines[6:]]) + "\n", encoding="utf-8")
    patents.load(store, [GOOGLE_JSONL])
    with pytest.raises(InputError, match="line 6"):
        patents.load(store, [broken])
    assert [e.format for e in patents_repo.exports(store)] == ["google"]
    assert patents_repo.record_count(store) == 6


def test_exports_can_be_counted_one_at_a_time(store):
    loaded = patents.load(store, [LENS, GOOGLE_JSONL])
    only_google = patents.count(store, "country", exports=[loaded[1].export_id])
    assert only_google.exports == ("google-publications.jsonl",) and only_google.total == 3
    assert patents_repo.remove_export(store, loaded[0].export_id)
    assert patents_repo.record_count(store) == 6
