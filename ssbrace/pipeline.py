"""Per-document stages run after a document is stored, inside the same transaction.

Ingestion calls ``after_document_stored`` for every new document, so that a document and its claims
are written together or not at all.
"""

from __future__ import annotations

from typing import Any


def after_document_stored(session: Any, document: Any, *, domain: Any = None) -> int:
    """Extract the document's claims and store them; returns the number of claims stored."""
    from ssbrace.extract.pipeline import EXTRACTOR_VERSION, extract_claims
    from ssbrace.kb.claims_repo import store_claims

    claims = extract_claims(document.text or "", published=document.published, doc=document.location,
                            domain=domain)
    return store_claims(session, document, claims, EXTRACTOR_VERSION)
