"""The Django admin is for the centre's staff, signed in with two factors; nobody else gets in."""

from __future__ import annotations

from typing import Any

import pytest

from jisp.core.models import AuditEvent, Organisation
from jisp.core.testing import Cast


def test_it_opens_for_the_centre_staff(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.analyst).get("/admin/")
    assert response.status_code == 200
    assert "core/organisation/" in response.content.decode()


@pytest.mark.parametrize(
    "person", ["member_a", "admin_a", "auditor", "responder", "vendor_analyst"]
)
def test_it_stays_closed_to_everyone_else(cast: Cast, signed_in: Any, person: str) -> None:
    client = signed_in(getattr(cast, person))
    response = client.get("/admin/core/organisation/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"])["Location"].startswith("/signin/")


def test_it_sends_the_signed_out_to_the_platform_sign_in(client: Any, db: None) -> None:
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/signin/?next=/admin/")


def test_the_audit_log_is_read_only_in_the_admin(cast: Cast, signed_in: Any) -> None:
    from jisp.core import audit

    event = audit.record("core.signout", actor=cast.member_a)
    client = signed_in(cast.commander)
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200
    response = client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_change_in_the_admin_is_audited(cast: Cast, signed_in: Any) -> None:
    client = signed_in(cast.analyst)
    org = cast.org_b
    response = client.post(
        f"/admin/core/organisation/{org.pk}/change/",
        {
            "name": "関東電力テスト（改）",
            "name_en": org.name_en,
            "short_name": "",
            "category": org.category,
            "sector": org.sector_id,
            "is_active": "on",
            "listed": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organisation.objects.get(pk=org.pk).name == "関東電力テスト（改）"
    assert AuditEvent.objects.filter(
        action="core.admin.changed", object_id=str(org.pk), actor=cast.analyst
    ).exists()
