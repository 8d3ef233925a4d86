"""The OpenAPI schema, the docs page (no CDN, no inline code), and schemathesis against the app.

Schemathesis loads ``/api/v1/openapi.json`` from the WSGI application in-process and sends the
generated requests (positive and negative) through it with a write token of the centre, so every
operation runs with data it may see; each response must not be a server error, must have a status,
content type and body that the schema documents.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jisp.core.services import accounts
from jisp.core.testing import Cast

SCHEMA_URL = "/api/v1/openapi.json"
CHROMIUM = "/usr/bin/chromium"


def test_the_schema_lists_every_operation(client: Client, db: Any) -> None:
    schema = client.get(SCHEMA_URL).json()
    assert schema["info"]["title"] == "JISP API"
    assert set(schema["paths"]) >= {
        "/api/v1/me",
        "/api/v1/sectors",
        "/api/v1/organisations",
        "/api/v1/organisations/{id}",
        "/api/v1/organisations/{id}/invitations",
        "/api/v1/people",
        "/api/v1/people/{id}",
        "/api/v1/memberships",
        "/api/v1/memberships/{id}",
    }
    schemes = schema["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer"}


def test_the_schema_documents_errors_and_pages(client: Client, db: Any) -> None:
    schema = client.get(SCHEMA_URL).json()
    listing = schema["paths"]["/api/v1/organisations"]["get"]
    assert {"200", "401", "403", "422"} <= set(listing["responses"])
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 500
    assert set(schema["components"]["schemas"]["OrganisationPage"]["properties"]) == {
        "count",
        "count_complete",
        "items",
    }


def test_the_docs_page_loads_nothing_from_elsewhere(client: Client, db: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html) == []
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert assets, html
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert "/static/ninja/swagger-ui-bundle.js" in assets


def test_the_docs_page_needs_no_inline_script_or_style(client: Client, db: Any) -> None:
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "unsafe-inline" not in csp
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
        # Either an external file or a data block (never executed) with the settings.
        assert "src=" in attributes or (
            'type="application/json"' in attributes and "function" not in body
        )
    assert "<style" not in html
    assert " style=" not in html
    assert re.search(r"\son[a-z]+\s*=", html) is None


def test_the_docs_page_does_not_call_the_swagger_validator(client: Client, db: Any) -> None:
    html = client.get("/api/v1/docs").content.decode()
    assert '"validatorUrl": null' in html


def test_the_docs_page_static_files_are_served(client: Client, db: Any) -> None:
    response = client.get("/static/ninja/swagger-ui-init.js")
    assert response.status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_docs_page_works_in_a_browser_under_our_csp(
    live_server: Any, cast: Cast, monkeypatch: Any
) -> None:
    """Swagger UI renders every operation, with no CSP violation and no request elsewhere."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    from playwright.sync_api import sync_playwright

    console: list[str] = []
    requested: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            page = browser.new_page()
            page.on("console", lambda message: console.append(message.text))
            page.on("request", lambda request: requested.append(request.url))
            page.goto(f"{live_server.url}/api/v1/docs")
            page.wait_for_selector(".opblock", timeout=15000)
            assert page.locator(".opblock").count() >= 10
        finally:
            browser.close()
    assert [text for text in console if "Content Security Policy" in text] == []
    assert all(url.startswith(live_server.url) for url in requested), requested


# --- Schemathesis ----------------------------------------------------------------------------


@pytest.fixture
def in_process_wsgi() -> Iterator[Any]:
    """The WSGI app, without closing the test's database connection after each request."""
    from jisp.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield application
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_no_fault(
    cast: Cast, in_process_wsgi: Any, mode: GenerationMode
) -> None:
    _, full = accounts.create_api_token(None, cast.analyst, "schemathesis", "write", 30)
    headers = {"Authorization": f"Bearer {full}"}
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, in_process_wsgi)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @settings(
            max_examples=15,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: schemathesis.Case) -> None:
            case.headers = {**(case.headers or {}), **headers}
            response = case.call()
            case.validate_response(response, checks=CHECKS)

        check()
