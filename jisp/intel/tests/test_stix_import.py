"""import_bundle(): streamed files, all or nothing, bounded memory, rights; the import API."""

from __future__ import annotations

import io
import json
import tracemalloc
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent, User
from jisp.core.services import accounts
from jisp.intel.choices import ImportState
from jisp.intel.models import ImportRun, Indicator, StixObject
from jisp.intel.services import imports
from jisp.intel.stix.importer import ImportFailed, IngestContext, import_bundle

from .test_stix_ingest import indicator


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def bundle(objects: list[Any], **extra: Any) -> bytes:
    return json.dumps(
        {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects, **extra}
    ).encode()


def ctx(cast: Any, **extra: Any) -> IngestContext:
    fields = {"tlp": TLP.GREEN, "audience": Audience.EVERYONE, **extra}
    return IngestContext(user=cast.analyst, organisation=cast.centre, **fields)


def test_a_bundle_is_imported_and_recorded(cast: Any) -> None:
    data = bundle([indicator("a.example"), indicator("b.example"), {"type": "nonsense"}])
    run = import_bundle(io.BytesIO(data), ctx(cast), name="feed.json")
    assert run.state == ImportState.DONE
    assert (run.objects_read, run.indicators_added, run.unchanged) == (3, 2, 0)
    assert len(run.errors) == 1
    assert run.errors[0]["message"]
    assert AuditEvent.objects.filter(action="intel.import.stix", object_id=str(run.pk)).exists()


def test_importing_twice_gives_the_same_rows(cast: Any) -> None:
    data = bundle([indicator(f"h{i}.example") for i in range(50)])
    import_bundle(io.BytesIO(data), ctx(cast))
    rows = sorted(StixObject.objects.values_list("stix_id", "modified", "body"))
    again = import_bundle(io.BytesIO(data), ctx(cast))
    assert (again.indicators_added, again.unchanged) == (0, 50)
    assert sorted(StixObject.objects.values_list("stix_id", "modified", "body")) == rows
    assert Indicator.objects.count() == 50


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"not json", "JSON"),
        (b"[1, 2]", "bundle"),
        (json.dumps({"type": "report", "id": "bundle--x", "objects": []}).encode(), "bundle"),
        (json.dumps({"type": "bundle", "id": "x", "objects": []}).encode(), "id"),
        (
            json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": 3}).encode(),
            "list",
        ),
        (
            json.dumps(
                {
                    "type": "bundle",
                    "id": f"bundle--{uuid.uuid4()}",
                    "spec_version": "2.0",
                    "objects": [],
                }
            ).encode(),
            "2.1",
        ),
        (bundle([indicator("a.example"), indicator("b.example")])[:-30], "JSON"),
        (bundle([{**indicator(), "x_big": "x" * 1_200_000}]), "larger"),
    ],
)
def test_a_file_that_is_not_a_bundle_is_refused_and_nothing_is_kept(
    cast: Any, data: bytes, words: str
) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_bundle(io.BytesIO(data), ctx(cast))
    assert words in " ".join(caught.value.messages)
    assert not StixObject.objects.exists()
    assert not Indicator.objects.exists()
    run = ImportRun.objects.get()
    assert run.state == ImportState.FAILED
    assert run.errors[0]["message"]


def test_type_and_id_after_the_objects_are_read_too(cast: Any) -> None:
    objects = [indicator(f"h{i}.example", description="x" * 5000) for i in range(100)]
    text = json.dumps({"objects": objects, "type": "bundle", "id": f"bundle--{uuid.uuid4()}"})
    run = import_bundle(io.BytesIO(text.encode()), ctx(cast))
    assert run.indicators_added == 100
    wrong = json.dumps({"objects": objects, "type": "x-not-a-bundle"}).encode()
    with pytest.raises(ImportFailed):
        import_bundle(io.BytesIO(wrong), ctx(cast))
    assert Indicator.objects.count() == 100


def test_a_big_file_is_streamed_in_bounded_memory(cast: Any, tmp_path: Any) -> None:
    path = tmp_path / "big.json"
    with path.open("w") as out:
        out.write('{"type":"bundle","id":"bundle--' + str(uuid.uuid4()) + '","objects":[')
        for i in range(12_000):
            out.write(("," if i else "") + json.dumps(indicator(f"h{i}.example")))
        out.write("]}")
    assert path.stat().st_size > 5_000_000
    tracemalloc.start()
    try:
        with path.open("rb") as fileobj:
            run = import_bundle(fileobj, ctx(cast))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert run.indicators_added == 12_000
    assert peak < 40_000_000, peak


def test_only_the_centre_imports_files(cast: Any) -> None:
    for person in (cast.member_a, cast.admin_a, cast.auditor, cast.vendor_analyst):
        with pytest.raises(PermissionDenied):
            import_bundle(io.BytesIO(bundle([])), IngestContext(person, cast.org_a, "green",
                                                                "everyone"))  # fmt: skip
        with pytest.raises(PermissionDenied):
            imports.import_stix(None, person, io.BytesIO(bundle([])))
    assert not ImportRun.objects.exists()


def test_imported_indicators_follow_the_policy(cast: Any) -> None:
    imports.import_stix(
        None, cast.analyst, io.BytesIO(bundle([indicator("org-b.example")])),
        tlp=TLP.AMBER, audience=Audience.ORGANISATIONS, organisations=[cast.org_b],
    )  # fmt: skip
    ind = Indicator.objects.get()
    assert ind.organisation == cast.centre
    seen = {n for n, p in cast.everyone.items() if policy.visible(p, Indicator.objects.all())}
    assert seen == {"member_b", "analyst", "commander", "auditor"}
    seen = {n for n, p in cast.everyone.items() if policy.visible(p, StixObject.objects.all())}
    assert seen == {"member_b", "analyst", "commander", "auditor"}


# --- The API --------------------------------------------------------------------------------


def bearer(user: User, scope: str = "write") -> dict[str, str]:
    _, full = accounts.create_api_token(None, user, "test", scope, 30)
    return {"Authorization": f"Bearer {full}", "Accept-Language": "en"}


URL = "/api/v1/intel/stix/import"


def test_the_api_imports_a_json_body(client: Client, cast: Any) -> None:
    data = bundle([indicator("a.example")])
    response = client.post(
        URL + "?tlp=green&audience=everyone", data, content_type="application/json",
        headers=bearer(cast.analyst),
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["indicators_added"]) == ("done", 1)
    assert Indicator.objects.get().tlp == TLP.GREEN


def test_the_api_imports_an_uploaded_file_with_the_default_sharing(
    client: Client, cast: Any
) -> None:
    upload = io.BytesIO(bundle([indicator("a.example")]))
    upload.name = "feed.json"
    response = client.post(URL, {"file": upload}, headers=bearer(cast.analyst))
    assert response.status_code == 200, response.content
    ind = Indicator.objects.get()
    assert (ind.tlp, ind.audience) == (TLP.AMBER, Audience.CENTRE)


def test_the_api_refuses_members_and_bad_bundles(client: Client, cast: Any) -> None:
    data = bundle([indicator("a.example")])
    response = client.post(URL, data, content_type="application/json",
                           headers=bearer(cast.member_a))  # fmt: skip
    assert response.status_code == 403
    response = client.post(URL, b"{oops", content_type="application/json",
                           headers=bearer(cast.analyst))  # fmt: skip
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]
    response = client.post(
        URL + "?tlp=red&audience=everyone", data, content_type="application/json",
        headers=bearer(cast.analyst),
    )  # fmt: skip
    assert response.status_code == 422
    assert not Indicator.objects.exists()


def test_the_api_refuses_bodies_over_one_megabyte(client: Client, cast: Any) -> None:
    data = bundle([indicator("a.example", description="x" * 60_000) for _ in range(20)])
    assert len(data) > 1024 * 1024
    response = client.post(URL, data, content_type="application/json",
                           headers=bearer(cast.analyst))  # fmt: skip
    assert response.status_code == 413


def test_the_api_exports_a_bundle_and_audits_it(client: Client, cast: Any) -> None:
    imports.import_stix(None, cast.analyst, io.BytesIO(bundle([indicator("a.example")])),
                        tlp=TLP.GREEN, audience=Audience.EVERYONE)  # fmt: skip
    imports.import_stix(None, cast.analyst, io.BytesIO(bundle([indicator("c.example")])))
    response = client.get("/api/v1/intel/stix/export?kind=domain", headers=bearer(cast.member_b))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/stix+json;version=2.1"
    body = json.loads(b"".join(response.streaming_content))
    names = [o["name"] for o in body["objects"] if o["type"] == "indicator"]
    assert names == ["Phishing a.example"]
    assert AuditEvent.objects.filter(action="intel.export.stix", actor=cast.member_b).exists()
    response = client.get("/api/v1/intel/stix/export?kind=nope", headers=bearer(cast.member_b))
    assert response.status_code == 422
