"""Where this app shows an entity or a claim's sentence: the paths the pages, the API and the JSON exports link to."""

from __future__ import annotations

from urllib.parse import quote

from ssbrace.kb.records import ClaimRecord

ENTITY_PAGES = {"company": "companies", "country": "countries", "region": "countries"}


def entity_url(name: str | None, entity_type: str | None = None) -> str:
    """The page of an entity (companies and countries have their own; others list their claims)."""
    if not name:
        return "/claims"
    section = ENTITY_PAGES.get(entity_type or "", "entities")
    return f"/{section}/{quote(name, safe='')}"


def evidence_url(claim: ClaimRecord) -> str:
    """The document page, scrolled to the highlighted sentence of this claim."""
    return f"/documents/{claim.document_id}#claim-{claim.id}"
