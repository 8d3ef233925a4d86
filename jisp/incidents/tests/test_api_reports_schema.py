"""Schemathesis against the reports API only: generated requests (valid and invalid) from the
OpenAPI schema never cause a server error and always answer what the schema documents."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
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
from jisp.incidents.models import RoutingRule
from jisp.incidents.testing import make_report

SCHEMA_URL = "/api/v1/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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


@pytest.mark.parametrize("who", ["member_a", "vendor_analyst"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_no_fault_in_the_reports_api(
    cast: Cast, in_process_wsgi: Any, mode: GenerationMode, who: str
) -> None:
    RoutingRule.objects.create(name="vendor", recipient=cast.vendor, grant="redacted")
    known = []
    for _ in range(3):
        known.append(make_report(cast.member_a, route=True).pk)
        known.append(make_report(cast.member_a, submit=False).pk)
    _, full = accounts.create_api_token(None, getattr(cast, who), "schemathesis", "write", 30)
    headers = {"Authorization": f"Bearer {full}"}
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, in_process_wsgi)
    results: list[Any] = list(schema.get_all_operations())
    operations = [
        result.ok()
        for result in results
        if result.ok().path.startswith("/api/v1/incidents/reports")
    ]
    assert len(operations) == 7

    statuses: list[int] = []
    for operation in operations:

        @settings(
            max_examples=25,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case: Any) -> None:
            case.headers = {**(case.headers or {}), **headers}
            params = case.path_parameters or {}
            if mode == GenerationMode.POSITIVE and "id" in params:
                # Mostly reports that exist (drafts and sent), so the operations do their work.
                params["id"] = known[zlib.crc32(repr(case.body).encode()) % len(known)]
            response = case.call()
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()
    if mode == GenerationMode.POSITIVE:
        assert {200, 201} & set(statuses)
