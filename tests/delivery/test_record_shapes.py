"""Each record's JSON shape extends the record's own field declaration, and ``to_json`` is the one way out."""

from dataclasses import fields

import pytest

from ssbrace.analysis.checks import FindingFields
from ssbrace.analysis.conflicts import ConflictFields, SideFields
from ssbrace.analysis.facts import FactKey
from ssbrace.analysis.roadmaps import LedgerEntryFields, LedgerFields
from ssbrace.delivery import records
from ssbrace.kb.queries import EntityRow
from ssbrace.kb.stories_repo import StoryFields

SHAPES = [(EntityRow, records.EntityOut), (FactKey, records.FactOut), (LedgerFields, records.LedgerOut),
          (LedgerEntryFields, records.LedgerEntryOut), (ConflictFields, records.ConflictOut),
          (SideFields, records.SideOut), (FindingFields, records.FindingOut), (StoryFields, records.StoryOut)]


@pytest.mark.parametrize(("declared", "shape"), SHAPES, ids=[s.__name__ for _, s in SHAPES])
def test_each_json_shape_starts_from_its_records_fields(declared: type, shape: type) -> None:
    assert issubclass(shape, declared)
    names = [f.name for f in fields(declared)]
    assert [f.name for f in fields(shape)][: len(names)] == names


def test_to_json_refuses_what_has_no_shape() -> None:
    with pytest.raises(TypeError, match="no JSON shape"):
        records.to_json(object())
