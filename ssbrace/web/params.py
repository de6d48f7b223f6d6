"""Request parameters bounded to the store's integer range: a huge id or offset is a 422, never a 500; and
the values of an unsubscribe POST, which come in the form or in the link.

SQLite (and PostgreSQL BIGINT) integers are signed 64-bit; a larger Python int fails as
``OverflowError`` when bound to a query, which surfaced as HTTP 500.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request

MAX_STORE_INT = 2**63 - 1
MIN_STORE_INT = -(2**63)
# Page numbers stay low enough that (page - 1) * page size fits for any page size up to 1,000.
MAX_PAGE = MAX_STORE_INT // 1000

StoreId = Annotated[int, Path(ge=MIN_STORE_INT, le=MAX_STORE_INT, description="a stored row's id")]
OFFSET = Query(0, ge=0, le=MAX_STORE_INT)
PAGE = Query(1, ge=1, le=MAX_PAGE)
DOCUMENT_FILTER = Query(None, ge=MIN_STORE_INT, le=MAX_STORE_INT, description="only claims of this document")


def form_or_link(request: Request, given: str, name: str) -> str:
    """A value of an unsubscribe POST: the form's, else the link's query string. The page's button posts a
    form; a mail client's one-click POST (RFC 8058, the List-Unsubscribe-Post header) posts to the link's URL
    with only ``List-Unsubscribe=One-Click`` in its body."""
    return given or request.query_params.get(name, "")
