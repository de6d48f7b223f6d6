"""Hostile parameters: integers beyond the store's range are 422 (never 500); private sources are refused."""

from __future__ import annotations

import pytest

from tests.fixtures.stores import source_locations

HUGE = str(2**63)  # one past SQLite's largest integer: used to end in OverflowError, HTTP 500
TOKEN = "s3cret-Token"

OUT_OF_RANGE = [
    f"/api/v1/claims?offset={HUGE}",
    f"/api/v1/claims?document={HUGE}",
    f"/api/v1/claims?document=-{HUGE}1",
    f"/api/v1/claims.csv?document={HUGE}",
    f"/api/v1/claims/{HUGE}",
    f"/api/v1/documents?offset={HUGE}",
    f"/api/v1/documents/{HUGE}",
    f"/api/v1/stories?offset={HUGE}",
    f"/api/v1/stories/{HUGE}",
    f"/api/v1/search?q=cells&offset={HUGE}",
    f"/api/v1/companies/Calderon%20Cells?offset={HUGE}",
    f"/api/v1/countries/Japan?offset={HUGE}",
    f"/stories?page={HUGE}",
    f"/stories/{HUGE}",
    f"/documents?page={HUGE}",
    f"/documents/{HUGE}",
    f"/claims?page={HUGE}",
    f"/search?q=cells&page={HUGE}",
    f"/companies/Calderon%20Cells?page={HUGE}",
    f"/countries/Japan?page={HUGE}",
    f"/entities/Japan?page={HUGE}",
]


@pytest.mark.parametrize("path", OUT_OF_RANGE)
def test_integers_beyond_the_store_range_are_refused(client, path) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 422, (path, response.status_code, response.text[:200])


@pytest.mark.parametrize("path", ["/api/v1/claims/9223372036854775807", "/api/v1/documents/9223372036854775807",
                                  "/api/v1/stories/9223372036854775807", "/documents/9223372036854775807"])
def test_the_largest_store_integer_is_a_plain_miss(client, path) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404


def test_largest_offset_gives_an_empty_page(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/claims?offset=9223372036854775807")
    assert response.status_code == 200 and response.json()["items"] == []


PRIVATE_SOURCES = [
    "http://10.0.0.1/x",
    "http://127.0.0.1:8000/feed.xml",
    "http://2130706433/",  # 127.0.0.1 as one integer
    "http://0x7f.1/",
    "http://localhost/feed",
    "http://[::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "http://[2002:a00:1::]/",  # 6to4 around 10.0.0.1
    "http://[fec0::1]/",  # site-local
    "http://[64:ff9b::7f00:1]/",  # NAT64 around 127.0.0.1
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
    "http://0.0.0.0/",
    "http://x:99999/",  # not an address at all: a bad port
]


def test_private_sources_are_refused_at_registration(serve, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'sources.db'}"
    client = serve(db=db, api_token=TOKEN)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    for location in PRIVATE_SOURCES:
        response = client.post("/api/v1/sources", json={"location": location}, headers=auth)
        assert response.status_code == 422, (location, response.status_code)
        assert "refused" in response.json()["detail"] or "not a valid URL" in response.json()["detail"]
    public = client.post("/api/v1/sources", json={"location": "https://news.example.org/feed.xml"}, headers=auth)
    assert public.status_code == 201  # a name is judged when fetched; no DNS query now
    assert source_locations(db) == ["https://news.example.org/feed.xml"]


def test_allow_private_opens_registration_of_private_sources(serve, tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'sources.db'}"
    client = serve(db=db, api_token=TOKEN, allow_private=True)
    response = client.post("/api/v1/sources", json={"location": "http://10.0.0.1/x"},
                           headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 201
    refused = client.post("/api/v1/sources", json={"location": "http://0.0.0.0/"},
                          headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 422  # unspecified stays refused even then
