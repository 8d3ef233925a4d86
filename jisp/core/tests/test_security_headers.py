"""Every page carries the content security policy and the other protective headers."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

from jisp.core.testing import Cast


def test_pages_carry_a_strict_content_security_policy(client: Any, db: None) -> None:
    response = client.get("/signin/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_page_shell_loads_nothing_from_elsewhere(cast: Cast, signed_in: Any) -> None:
    html = signed_in(cast.member_a).get("/account/").content.decode()
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "<script>" not in html
    assert " style=" not in html


def test_sessions_expire(db: None) -> None:
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_a_person_whose_role_needs_two_factor_must_set_it_up_first(
    cast: Cast, signed_in: Any
) -> None:
    from jisp.core.testing import make_person

    person = make_person(
        "new-handler@centre.example", cast.centre, "incident_handler", two_factor=False
    )
    client = signed_in(person)
    response = client.get("/organisations/")
    assert response.status_code == 302
    assert response["Location"] == "/account/two-factor/"
    assert client.get("/account/two-factor/").status_code == 200


def test_a_member_without_two_factor_is_not_forced(cast: Cast, signed_in: Any) -> None:
    response = signed_in(cast.member_a).get("/organisations/")
    assert response.status_code == 200
