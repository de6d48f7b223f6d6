"""Each record's fields are declared once: the other shapes of a claim must cover them exactly."""

from dataclasses import fields

from ssbrace.delivery.records import ClaimOut
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.tables import Claim
from ssbrace.models import CLAIM_FIELDS
from ssbrace.models import Claim as ExtractedClaim
from ssbrace.web.api import CLAIM_COLUMNS

# What only the store keeps of a claim: keys, links to entities, bookkeeping.
STORAGE_ONLY = {"document_id", "extractor_version", "subject_entity_id", "object_entity_id", "created_at", "extra"}


def test_the_claims_table_holds_every_contract_field_and_nothing_unexplained() -> None:
    columns = set(Claim.__table__.columns.keys())
    record = {f.name for f in fields(ClaimRecord)}
    assert set(CLAIM_FIELDS) <= columns
    assert columns - STORAGE_ONLY == set(CLAIM_FIELDS) | {"id", "sentence", "start", "end", "confidence"}
    assert columns - STORAGE_ONLY <= record


def test_every_claim_shape_starts_from_the_contract_fields() -> None:
    for shape in (ExtractedClaim, ClaimRecord, ClaimOut):
        assert tuple(f.name for f in fields(shape))[: len(CLAIM_FIELDS)] == CLAIM_FIELDS
    assert CLAIM_COLUMNS[1 : 1 + len(CLAIM_FIELDS)] == list(CLAIM_FIELDS)
