"""Per-document stages run after a document is stored, inside the same transaction.

Ingestion calls ``after_document_stored`` for every new document, so that a document, its claims,
their entity links and its story are written together or not at all.
"""

from __future__ import annotations

from typing import Any

from ssbrace.extract.pipeline import EXTRACTOR_VERSION, extract_claims
from ssbrace.kb.claims_repo import store_claims
from ssbrace.kb.resolve import link_document_claims
from ssbrace.stories.cluster import assign_document


def after_document_stored(session: Any, document: Any, *, domain: Any = None) -> int:
    """Extract and store the document's claims, link their entities, place it in a story.

    Returns the number of claims stored.
    """
    claims = extract_claims(document.text or "", published=document.published, doc=document.location,
                            domain=domain)
    stored = store_claims(session, document, claims, EXTRACTOR_VERSION)
    # Knowledge: each claim's subject and object linked to an entity (gazetteer, aliases, fuzzy).
    link_document_claims(session, document.id)
    # Stories: the document joins an open story or starts one.
    assign_document(session, document.id)
    return stored
