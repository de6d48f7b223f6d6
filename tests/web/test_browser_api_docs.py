"""The API docs page in real headless Chromium: Swagger UI, served from this app, renders the operations."""

from __future__ import annotations

import re

import pytest

# The browser and the guarded page (off-site requests, script errors and dialogs fail the test) are
# test_browser's fixtures; importing them makes them this module's too.
from tests.web.test_browser import CHROMIUM, browser, page, shot  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


def test_docs_page_renders_the_operations(page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    response = page.goto("/api/docs")
    assert response is not None and response.status == 200
    page.wait_for_selector("#swagger-ui .opblock", timeout=30_000)
    paths = page.locator("#swagger-ui .opblock-summary-path").all_inner_texts()
    assert "/api/v1/scoreboard" in paths and "/api/v1/export/{table}.{fmt}" in paths
    assert page.locator("#swagger-ui .opblock").count() == len(paths) >= 20
    # an operation opens on its parameters and its response, with the schema's fields
    # the GET of one claim (the review routes share the path's start: the block is picked by method and exact path)
    claim = page.locator("#swagger-ui .opblock-get").filter(
        has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/claims/\{claim_id\}$")))
    claim.first.locator(".opblock-summary").click()
    opened = page.locator(".opblock.is-open")
    opened.locator(".parameters").wait_for(timeout=10_000)
    assert "claim_id" in opened.inner_text()
    assert "evidence" in opened.locator(".responses-wrapper").inner_text()
    shot(page, "17-api-docs-swagger")
