"""TAXII 2.1: discovery, the API root, collections, credentials, media types and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from jisp.core.choices import TLP, Audience
from jisp.core.models import Sector
from jisp.core.testing import Cast
from jisp.intel.models import TaxiiCollection
from jisp.intel.taxii.collections import ensure_default_collections
from jisp.intel.taxii.testing import ROOT, TAXII, api_token, basic, bearer


@pytest.fixture
def standard(cast: Cast) -> dict[str, TaxiiCollection]:
    ensure_default_collections()
    org_a_only = TaxiiCollection.objects.create(
        alias="org-a",
        title="Test Railway East",
        tlp=TLP.AMBER,
        audience=Audience.ORGANISATIONS,
        organisation=cast.org_a,
        position=999,
    )
    found = {c.alias: c for c in TaxiiCollection.objects.all()}
    found["org-a"] = org_a_only
    return found


def assert_taxii_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == TAXII
    body = json.loads(response.content)
    assert body["http_status"] == str(status)
    assert body["title"]
    return body


def aliases(response: Any) -> set[str]:
    return {c["alias"] for c in json.loads(response.content).get("collections", [])}


# --- discovery and the API root ---------------------------------------------------------------


def test_discovery_names_the_one_api_root(client: Client, cast: Cast) -> None:
    response = client.get("/taxii2/", headers=basic(cast.member_a))
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII
    body = response.json()
    assert body["title"]
    assert body["api_roots"] == [ROOT]
    assert body["default"] == ROOT


def test_the_api_root_says_version_and_size_limit(client: Client, cast: Cast) -> None:
    body = client.get(ROOT, headers=basic(cast.member_a)).json()
    assert body["title"] == "JISP"
    assert TAXII in body["versions"]
    assert body["max_content_length"] == 10 * 1024 * 1024


def test_the_size_limit_is_a_setting(client: Client, cast: Cast, settings: Any) -> None:
    settings.TAXII_MAX_CONTENT_LENGTH = 1234
    assert client.get(ROOT, headers=basic(cast.member_a)).json()["max_content_length"] == 1234


def test_an_unknown_api_root_is_a_taxii_404(client: Client, cast: Cast) -> None:
    assert_taxii_error(client.get("/taxii2/other/", headers=basic(cast.member_a)), 404)
    assert_taxii_error(client.get("/taxii2/api", headers=basic(cast.member_a)), 404)


# --- credentials ------------------------------------------------------------------------------


def test_it_refuses_a_request_without_credentials(client: Client, cast: Cast) -> None:
    response = client.get("/taxii2/", headers={"Accept": TAXII})
    assert_taxii_error(response, 401)
    assert "Basic" in response["WWW-Authenticate"]
    assert "Bearer" in response["WWW-Authenticate"]


@pytest.mark.parametrize(
    "header",
    [
        "Basic !!!",
        "Basic " + "YWxpY2VAcmFpbC5leGFtcGxl",  # no colon
        "Digest abc",
        "Bearer nonsense",
        "Bearer jisp_0123456789ab_unknownsecret",
    ],
)
def test_it_refuses_bad_credentials(client: Client, cast: Cast, header: str) -> None:
    response = client.get(ROOT, headers={"Authorization": header, "Accept": TAXII})
    assert_taxii_error(response, 401)
    assert response["WWW-Authenticate"]


def test_it_refuses_a_token_given_with_someone_elses_address(client: Client, cast: Cast) -> None:
    token = api_token(cast.member_a)
    headers = basic(cast.member_b, token=token)
    assert_taxii_error(client.get(ROOT, headers=headers), 401)


def test_it_accepts_the_address_in_any_case_and_bearer_tokens(client: Client, cast: Cast) -> None:
    token = api_token(cast.member_a)
    headers = basic(cast.member_a, token=token)
    import base64

    raw = base64.b64encode(f"{cast.member_a.email.upper()}:{token}".encode()).decode()
    headers["Authorization"] = f"Basic {raw}"
    assert client.get(ROOT, headers=headers).status_code == 200
    assert client.get(ROOT, headers=bearer(cast.member_a)).status_code == 200


def test_it_refuses_a_password_instead_of_a_token(client: Client, cast: Cast) -> None:
    import base64

    from jisp.core.testing import PASSWORD

    raw = base64.b64encode(f"{cast.member_a.email}:{PASSWORD}".encode()).decode()
    headers = {"Authorization": f"Basic {raw}", "Accept": TAXII}
    assert_taxii_error(client.get(ROOT, headers=headers), 401)


def test_a_session_alone_does_not_sign_in(client: Client, cast: Cast) -> None:
    client.force_login(cast.member_a)
    assert_taxii_error(client.get(ROOT, headers={"Accept": TAXII}), 401)


def test_errors_follow_the_persons_language(client: Client, cast: Cast) -> None:
    headers = basic(cast.member_b)  # member_b reads English
    body = assert_taxii_error(client.get(f"{ROOT}collections/nothing/", headers=headers), 404)
    assert body["title"] == "Not found"


# --- media types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept",
    [
        TAXII,
        "application/taxii+json",
        "application/taxii+json; version=2.1",
        "application/taxii+json;version=2.1,application/stix+json;version=2.1",
        "*/*",
    ],
)
def test_it_accepts_the_defined_media_types(client: Client, cast: Cast, accept: str) -> None:
    headers = basic(cast.member_a) | {"Accept": accept}
    response = client.get(ROOT, headers=headers)
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII


@pytest.mark.parametrize(
    "accept", ["application/json", "application/taxii+json;version=2.0", "text/html"]
)
def test_it_answers_406_to_other_media_types(client: Client, cast: Cast, accept: str) -> None:
    headers = basic(cast.member_a) | {"Accept": accept}
    assert_taxii_error(client.get(ROOT, headers=headers), 406)


def test_a_method_not_allowed_is_a_taxii_405(client: Client, cast: Cast) -> None:
    response = client.post(ROOT, headers=basic(cast.member_a))
    assert_taxii_error(response, 405)
    assert response["Allow"] == "GET"


# --- collections --------------------------------------------------------------------------------


def test_ensure_default_collections_makes_the_standard_set_once(db: Any) -> None:
    TaxiiCollection.objects.all().delete()  # migrate made them already (post_migrate)
    created = ensure_default_collections()
    sectors = Sector.objects.count()
    assert len(created) == 4 + sectors
    assert ensure_default_collections() == []
    aliases = set(TaxiiCollection.objects.values_list("alias", flat=True))
    assert {"tlp-clear", "tlp-green", "tlp-amber", "centre", "sector-railways"} <= aliases


@pytest.mark.parametrize(
    ("who", "sees", "hidden"),
    [
        ("member_a", {"tlp-green", "tlp-amber", "sector-railways", "org-a"}, {"centre"}),
        ("member_a2", {"org-a", "sector-railways"}, {"centre", "sector-electricity"}),
        ("member_b", {"tlp-green", "sector-electricity"}, {"org-a", "sector-railways", "centre"}),
        ("analyst", {"centre", "org-a", "sector-railways", "sector-electricity"}, set()),
        ("auditor", {"centre", "org-a", "sector-railways"}, set()),
        ("responder", {"tlp-clear", "tlp-amber"}, {"centre", "org-a", "sector-railways"}),
        ("vendor_analyst", {"tlp-green"}, {"centre", "org-a"}),
    ],
)
def test_each_person_lists_only_their_collections(
    client: Client, cast: Cast, standard: dict[str, TaxiiCollection], who: str,
    sees: set[str], hidden: set[str],
) -> None:  # fmt: skip
    user = getattr(cast, who)
    listed = aliases(client.get(f"{ROOT}collections/", headers=basic(user)))
    assert sees <= listed
    assert not hidden & listed
    for alias in hidden:
        response = client.get(f"{ROOT}collections/{standard[alias].id}/", headers=basic(user))
        assert_taxii_error(response, 404)


def test_an_outsider_lists_no_collections(
    client: Client, cast: Cast, standard: dict[str, TaxiiCollection]
) -> None:
    response = client.get(f"{ROOT}collections/", headers=basic(cast.outsider))
    assert response.status_code == 200
    assert response.content == b"{}"
    url = f"{ROOT}collections/{standard['tlp-green'].id}/objects/"
    assert_taxii_error(client.get(url, headers=basic(cast.outsider)), 404)


def test_the_collection_resource_has_its_required_fields(
    client: Client, cast: Cast, standard: dict[str, TaxiiCollection]
) -> None:
    green = standard["tlp-green"]
    body = client.get(f"{ROOT}collections/{green.id}/", headers=basic(cast.member_a)).json()
    assert body["id"] == str(green.id)
    assert body["title"] == green.title
    assert body["alias"] == "tlp-green"
    assert body["can_read"] is True
    assert body["can_write"] is False
    assert body["media_types"] == ["application/stix+json;version=2.1"]
    staff = client.get(f"{ROOT}collections/tlp-green/", headers=basic(cast.analyst)).json()
    assert staff["id"] == str(green.id)
    assert staff["can_write"] is True


def test_auditors_read_but_never_write(
    client: Client, cast: Cast, standard: dict[str, TaxiiCollection]
) -> None:
    body = json.loads(client.get(f"{ROOT}collections/", headers=basic(cast.auditor)).content)
    assert body["collections"]
    assert all(c["can_read"] and not c["can_write"] for c in body["collections"])


def test_the_collection_list_is_in_a_stable_order(
    client: Client, cast: Cast, standard: dict[str, TaxiiCollection]
) -> None:
    first = client.get(f"{ROOT}collections/", headers=basic(cast.analyst)).json()
    again = client.get(f"{ROOT}collections/", headers=basic(cast.analyst)).json()
    assert [c["id"] for c in first["collections"]] == [c["id"] for c in again["collections"]]
    assert first["collections"][0]["alias"] == "tlp-clear"


def test_an_unknown_collection_is_a_taxii_404(client: Client, cast: Cast) -> None:
    for key in ("4f2c3c4e-0000-4000-8000-000000000000", "no-such-alias"):
        assert_taxii_error(
            client.get(f"{ROOT}collections/{key}/", headers=basic(cast.analyst)), 404
        )


def test_a_status_of_someone_else_or_unknown_is_404(client: Client, cast: Cast) -> None:
    for key in ("4f2c3c4e-0000-4000-8000-000000000000", "not-a-uuid"):
        assert_taxii_error(client.get(f"{ROOT}status/{key}/", headers=basic(cast.analyst)), 404)
