"""The import page: the centre uploads a STIX bundle (or a MISP event); nobody else may."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jisp.intel.models import ImportRun, Indicator

pytestmark = pytest.mark.django_db

URL = reverse("intel:imports")

BUNDLE = {
    "type": "bundle",
    "id": "bundle--6f0c3f5e-1b8a-4a4e-9f0b-7c2f3d9a4e11",
    "objects": [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": "indicator--0c3e5e2a-4b55-4c1a-9d7a-9f1c2b3d4e5f",
            "created": "2021-07-23T11:00:00.000Z",
            "modified": "2021-07-23T11:00:00.000Z",
            "name": "DDoS source",
            "pattern": "[ipv4-addr:value = '45.67.89.10']",
            "pattern_type": "stix",
            "valid_from": "2021-07-23T11:00:00Z",
        }
    ],
}


def _upload(content: bytes, name: str = "bundle.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def _post(client: Any, content: bytes, **fields: Any) -> Any:
    data = {"format": "stix", "tlp": "amber", "audience": "everyone", "file": _upload(content)}
    data.update(fields)
    return client.post(URL, data)


def test_the_centre_imports_a_stix_bundle(cast: Any, signed_in: Any) -> None:
    client = signed_in(cast.analyst)
    assert client.get(URL).status_code == 200
    response = _post(client, json.dumps(BUNDLE).encode())
    assert response.status_code == 302
    indicator = Indicator.objects.get()
    assert (indicator.kind, indicator.value, indicator.organisation) == (
        "ipv4", "45.67.89.10", cast.centre
    )  # fmt: skip
    assert ImportRun.objects.get().indicators_added == 1
    assert "bundle.json" in client.get(URL).content.decode()


def test_a_broken_file_is_refused_and_nothing_saved(cast: Any, signed_in: Any) -> None:
    response = _post(signed_in(cast.analyst), b'{"type": "bundle", "objects": [')
    assert response.status_code == 400
    assert not Indicator.objects.exists()


def test_a_missing_file_is_refused(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.analyst).post(URL, {"format": "stix", "tlp": "amber"})
    assert response.status_code == 400


def test_members_may_not_import(cast: Any, signed_in: Any) -> None:
    for person in (cast.member_a, cast.admin_a, cast.vendor_analyst, cast.auditor):
        assert _post(signed_in(person), json.dumps(BUNDLE).encode()).status_code == 403
    assert signed_in(cast.outsider).get(URL).status_code == 404
    assert not Indicator.objects.exists()
