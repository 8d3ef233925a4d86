"""My assets: each organisation sees its own, its administrators and the centre change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.intel.models import Asset
from jisp.intel.services.assets import add_asset

pytestmark = pytest.mark.django_db

URL = reverse("intel:assets")


def test_an_admin_adds_an_asset(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.admin_a).post(
        URL, {"organisation": str(cast.org_a.pk), "kind": "domain", "value": "Rail.EXAMPLE."}
    )
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert (asset.organisation, asset.value) == (cast.org_a, "rail.example")


def test_a_bad_value_is_refused(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.admin_a).post(
        URL, {"organisation": str(cast.org_a.pk), "kind": "network", "value": "10.0.0.0/99"}
    )
    assert response.status_code == 400
    assert not Asset.objects.exists()


def test_an_admin_may_not_add_for_another_org(cast: Any, signed_in: Any) -> None:
    response = signed_in(cast.admin_a).post(
        URL, {"organisation": str(cast.org_b.pk), "kind": "domain", "value": "power.example"}
    )
    assert response.status_code == 400
    assert not Asset.objects.exists()


def test_members_see_but_do_not_change(cast: Any, signed_in: Any) -> None:
    add_asset(None, cast.admin_a, cast.org_a, "domain", "rail.example")
    client = signed_in(cast.member_a)
    response = client.get(URL)
    assert "rail.example" in response.content.decode()
    assert response.context["form"] is None
    post = {"organisation": str(cast.org_a.pk), "kind": "domain", "value": "x.example"}
    assert client.post(URL, post).status_code == 403
    asset = Asset.objects.get()
    remove = reverse("intel:asset_remove", args=[asset.pk])
    assert client.post(remove).status_code == 403
    assert Asset.objects.count() == 1


def test_it_hides_from_other_orgs(cast: Any, signed_in: Any) -> None:
    add_asset(None, cast.admin_a, cast.org_a, "domain", "rail.example")
    assert "rail.example" not in signed_in(cast.member_b).get(URL).content.decode()
    asset = Asset.objects.get()
    remove = reverse("intel:asset_remove", args=[asset.pk])
    assert signed_in(cast.member_b).post(remove).status_code == 404
    assert signed_in(cast.outsider).get(URL).status_code == 404


def test_the_centre_sees_every_organisation_and_filters(cast: Any, signed_in: Any) -> None:
    add_asset(None, cast.admin_a, cast.org_a, "domain", "rail.example")
    add_asset(None, cast.analyst, cast.org_b, "network", "198.51.100.0/24")
    client = signed_in(cast.analyst)
    html = client.get(URL).content.decode()
    assert "rail.example" in html and "198.51.100.0/24" in html
    html = client.get(URL, {"organisation": str(cast.org_b.pk)}).content.decode()
    assert "rail.example" not in html and "198.51.100.0/24" in html


def test_the_admin_removes_an_asset(cast: Any, signed_in: Any) -> None:
    asset = add_asset(None, cast.admin_a, cast.org_a, "domain", "rail.example")
    remove = reverse("intel:asset_remove", args=[asset.pk])
    assert signed_in(cast.admin_a).post(remove).status_code == 302
    assert not Asset.objects.exists()
