"""Schemathesis against the app's own OpenAPI document: no generated request gets an HTTP 5xx.

The app runs in a real uvicorn on 127.0.0.1 over a filled store of its own. Reads are generated from
the schema; writes too, with and without the token, except ``POST /ingest`` with the token, which
would fetch the generated URLs (nothing but 127.0.0.1 may be reached from the tests).
"""

from __future__ import annotations

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from schemathesis import GenerationMode

from ssbrace.kb.store import Store
from ssbrace.settings import Settings
from ssbrace.web.app import create_app
from tests.fixtures.web_server import ServerThread, fill_web_store

TOKEN = "schema-token-7"


@pytest.fixture(scope="module")
def schema_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'schema.db'}"
    store = Store(url)
    try:
        fill_web_store(store)
    finally:
        store.dispose()
    app = create_app(Settings(db=url, api_token=TOKEN))
    with ServerThread(app) as server:
        yield server.url
    app.state.ssbrace.close()


# Each operation gets this many generated requests per mode (valid, then invalid, input).
EXAMPLES = 40


def test_no_generated_request_gets_a_server_error(schema_server):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_url(f"{schema_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # every route is in the document
    errors: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _exercise(operation, mode, schema_server, errors)
    assert not errors, errors[:10]


def _exercise(operation, mode, base_url: str, errors: list[str]) -> None:  # type: ignore[no-untyped-def]
    # POST /ingest with the token would fetch the generated URL: it is sent without one (401).
    authorised = operation.method.upper() == "POST" and not operation.path.endswith("/ingest")
    headers = {"Authorization": f"Bearer {TOKEN}"} if authorised else None

    @hypothesis.settings(max_examples=EXAMPLES, deadline=None, database=None,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(operation.as_strategy(mode))
    def run(case):  # type: ignore[no-untyped-def]
        response = case.call(base_url=base_url, headers=headers, timeout=60)
        if response.status_code >= 500:
            errors.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}")

    try:
        run()
    except hypothesis.errors.Unsatisfiable:
        # An operation without parameters or body has no invalid input to generate.
        assert mode == GenerationMode.NEGATIVE, operation.label
