"""The TAXII server driven by the OASIS ``taxii2-client`` (v21) over HTTP, as a real client.

pytest-django's ``live_server`` serves the site on 127.0.0.1; the client signs in with HTTP Basic
(the person's e-mail address and an API token).
"""

from __future__ import annotations

import gc
import threading
import uuid
from typing import Any

import pytest
import requests
from taxii2client.exceptions import TAXIIServiceException
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from jisp.core.testing import Cast
from jisp.intel.models import TaxiiCollection
from jisp.intel.taxii.collections import ensure_default_collections
from jisp.intel.taxii.testing import api_token, store

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def indicator(value: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2024-03-01T10:00:00.000Z",
        "modified": "2024-03-01T10:00:00.000Z",
        "pattern": f"[domain-name:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": "2024-03-01T10:00:00.000Z",
    }


def test_taxii2_client_discovers_pages_adds_and_deletes(live_server: Any, cast: Cast) -> None:
    ensure_default_collections()
    green = TaxiiCollection.objects.get(alias="tlp-green")
    rows = store(green, cast.org_a, count=30)
    analyst = (cast.analyst.email, api_token(cast.analyst, "write"))
    member = (cast.member_b.email, api_token(cast.member_b))

    # discovery and the API root
    server = Server(f"{live_server.url}/taxii2/", user=member[0], password=member[1])
    opened: list[Any] = [server]
    try:
        _drive(live_server.url, server, green, rows, analyst, opened)
    finally:
        for endpoint in opened:
            endpoint.close()
        gc.collect()  # responses still referenced (an HTTPError's) hold their sockets
        _wait_for_request_threads()


def _wait_for_request_threads() -> None:
    """Let the live server's request threads see their kept-alive sockets closed and close
    their database connections (else PostgreSQL cannot drop the test database)."""
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)


def _drive(
    base: str,
    server: Server,
    green: TaxiiCollection,
    rows: list[Any],
    analyst: tuple[str, str],
    opened: list[Any],
) -> None:
    assert server.title == "JISP TAXII"
    assert len(server.api_roots) == 1
    root: ApiRoot = server.default
    opened.append(root)
    assert root.url == f"{base}/taxii2/api/"
    assert root.title == "JISP"
    assert "application/taxii+json;version=2.1" in root.versions

    # collections: the member sees theirs, not the centre's
    aliases = {c.alias for c in root.collections}
    assert "tlp-green" in aliases and "sector-electricity" in aliases
    assert "centre" not in aliases and "sector-railways" not in aliases
    collection = next(c for c in root.collections if c.alias == "tlp-green")
    assert collection.can_read and not collection.can_write

    # paging through every object with as_pages
    seen: list[str] = []
    pages = 0
    for envelope in as_pages(collection.get_objects, per_request=7):
        seen += [o["id"] for o in envelope.get("objects", [])]
        pages += 1
    assert seen == [r.stix_id for r in rows]
    assert pages == 5
    everything = collection.get_objects()
    assert len(everything["objects"]) == 30 and everything["more"] is False

    # the manifest, paged too
    manifest_ids = [
        record["id"]
        for page in as_pages(collection.get_manifest, per_request=20)
        for record in page.get("objects", [])
    ]
    assert manifest_ids == seen

    # the member may not write
    with pytest.raises(TAXIIServiceException):
        collection.add_objects({"objects": [indicator("nope.example")]})

    # the analyst adds objects and reads the status
    writer = Collection(
        f"{base}/taxii2/api/collections/{green.id}/",
        user=analyst[0],
        password=analyst[1],
    )
    opened.append(writer)
    assert writer.can_write
    first = indicator("c2.example")
    status = writer.add_objects({"objects": [first, {"type": "nonsense"}]})
    assert status.status == "complete"
    assert status.total_count == 2 and status.success_count == 1 and status.failure_count == 1
    status.refresh()
    assert status.successes[0]["id"] == first["id"]

    # a second version, then versions and one object
    second = dict(first, modified="2024-03-05T10:00:00.000Z")
    assert writer.add_objects({"objects": [second]}).success_count == 1
    versions = writer.object_versions(first["id"])["versions"]
    assert versions == ["2024-03-01T10:00:00.000000Z", "2024-03-05T10:00:00.000000Z"]
    latest = collection.get_object(first["id"])["objects"]
    assert [o["modified"] for o in latest] == ["2024-03-05T10:00:00.000Z"]
    both = collection.get_object(first["id"], version="all")["objects"]
    assert len(both) == 2
    filtered = collection.get_objects(type="indicator", id=first["id"])
    assert [o["id"] for o in filtered["objects"]] == [first["id"]]

    # delete: gone from the object, its versions and the manifest
    writer.delete_object(first["id"])
    with pytest.raises(requests.HTTPError) as gone:
        collection.get_object(first["id"])
    assert "404" in str(gone.value)
    assert first["id"] not in {r["id"] for r in collection.get_manifest().get("objects", [])}
