"""Options kept with a source (issue 14): changed and cleared one by one, and a kept size cap applied to the
files a file or folder source reads, through the public Python API over a real SQLite store."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ssbrace
import ssbrace.api
from ssbrace.errors import InputError, UsageError
from ssbrace.sources.options import OPTION_NAMES, SourceOptions, option_names

OPTIONS = st.builds(SourceOptions, allow_private=st.booleans(),
                    max_bytes=st.none() | st.integers(min_value=1, max_value=10**12))


def test_option_names_take_either_spelling_and_all():
    assert option_names(["max-bytes", "ALLOW_PRIVATE", "max_bytes"]) == ("max_bytes", "allow_private")
    assert option_names(["all"]) == OPTION_NAMES
    with pytest.raises(UsageError, match="no source option 'timeout': one of allow-private, max-bytes, or all"):
        option_names(["timeout"])


@given(OPTIONS, OPTIONS, st.lists(st.sampled_from(OPTION_NAMES), unique=True))
def test_an_update_clears_then_sets(kept, given_now, clear):
    now = kept.updated(given_now, tuple(clear))
    for name in OPTION_NAMES:
        if getattr(given_now, name) not in (None, False):  # given now: set
            expected = getattr(given_now, name)
        elif name in clear:  # back to "not given"
            expected = getattr(SourceOptions(), name)
        else:
            expected = getattr(kept, name)
        assert getattr(now, name) == expected, name
    assert SourceOptions.from_json(now.to_json()) == now


@pytest.fixture
def store(db_url):  # type: ignore[no-untyped-def]
    opened = ssbrace.open_store(db_url)
    yield opened
    opened.dispose()


def test_a_kept_cap_holds_for_a_file_source_until_it_is_cleared(store, db_url, tmp_path):  # type: ignore[no-untyped-def]
    settings = ssbrace.Settings(db=db_url)
    note = tmp_path / "note.md"
    note.write_text("# Pilot line\n\n" + "A pilot line for sulfide cells started this spring. " * 20)
    source, created = ssbrace.api.add_source(store, str(note), max_bytes=300, settings=settings)
    assert created and source.kind == "file"
    refused = ssbrace.update(store, settings=settings)
    assert [i.reason for i in refused.items] == [f"file larger than 300 bytes: {note}"]

    info, now = ssbrace.api.set_source_options(store, source.id, clear=["max_bytes"])
    assert info.id == source.id and now == SourceOptions()
    stored = ssbrace.update(store, settings=settings)
    assert [i.status for i in stored.items] == ["new"]


def test_set_source_options_refuses_what_it_cannot_do(store, db_url, tmp_path):  # type: ignore[no-untyped-def]
    note = tmp_path / "note.md"
    note.write_text("# Pilot line\n\nA pilot line for sulfide cells started this spring.\n")
    source, _ = ssbrace.api.add_source(store, str(note), allow_private=True, settings=ssbrace.Settings(db=db_url))
    with pytest.raises(UsageError, match="nothing to change"):
        ssbrace.api.set_source_options(store, source.id)
    with pytest.raises(UsageError, match="positive"):
        ssbrace.api.set_source_options(store, source.id, max_bytes=0)
    with pytest.raises(InputError, match="no source '99'"):
        ssbrace.api.set_source_options(store, 99, clear=["all"])
    # by path, as sources list shows it; a refused change left the options as they were
    _, now = ssbrace.api.set_source_options(store, str(note), max_bytes=800)
    assert now == SourceOptions(allow_private=True, max_bytes=800)


def test_a_later_versions_options_survive_a_change(store, db_url, tmp_path):  # type: ignore[no-untyped-def]
    from ssbrace.kb import documents_repo

    note = tmp_path / "note.md"
    note.write_text("# Pilot line\n\nA pilot line for sulfide cells started this spring.\n")
    source, _ = ssbrace.api.add_source(store, str(note), max_bytes=900, settings=ssbrace.Settings(db=db_url))
    with store.session() as session:
        documents_repo.set_source_options(session, source.id, {"retries": 3})  # a key this version does not know
    ssbrace.api.set_source_options(store, source.id, clear=["all"])
    with store.session() as session:
        assert documents_repo.get_source(session, source.id).options == {"retries": 3}
