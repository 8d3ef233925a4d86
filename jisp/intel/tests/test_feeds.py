"""Product feeds over HTTP: token sign-in, what each person gets, deltas, polling headers, audit."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent
from jisp.core.services import accounts
from jisp.core.testing import Cast
from jisp.intel import exports
from jisp.intel.models import Asset
from jisp.intel.services import indicators as service
from jisp.intel.testing import make_indicator

FEEDS = "/intel/feeds/"


def token(user: Any, scope: str = "read") -> str:
    return accounts.create_api_token(None, user, "feed", scope, 30)[1]


def bearer(user: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(user)}"}


def basic(user: Any, name: str = "firewall") -> dict[str, str]:
    raw = base64.b64encode(f"{name}:{token(user)}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def pull(client: Client, user: Any, path: str, **params: Any) -> Any:
    headers = params.pop("headers", None) or bearer(user)
    return client.get(FEEDS + path, params, headers=headers)


def body(response: Any) -> str:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def lines(response: Any) -> list[str]:
    return body(response).splitlines()


def later(minutes: int) -> Any:
    """The clock ``minutes`` from now (past the overlap of ``X-JISP-Next-Since``)."""
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes))


# --- sign-in ----------------------------------------------------------------------------------


def test_it_refuses_a_pull_without_a_token(client: Client, cast: Cast) -> None:
    response = client.get(FEEDS + "plain/domain/")
    assert response.status_code == 401
    assert "Bearer" in response["WWW-Authenticate"]
    assert "Basic" in response["WWW-Authenticate"]


def test_it_refuses_an_unknown_token(client: Client, cast: Cast) -> None:
    response = client.get(
        FEEDS + "plain/domain/", headers={"Authorization": "Bearer jisp_abc_nope"}
    )
    assert response.status_code == 401
    assert response.json()["detail"]


def test_it_ignores_the_session(client: Client, cast: Cast) -> None:
    client.force_login(cast.analyst)
    assert client.get(FEEDS + "plain/domain/").status_code == 401


def test_it_accepts_basic_with_any_user_name(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    response = pull(client, cast.member_b, "plain/domain/", headers=basic(cast.member_b))
    assert lines(response) == ["evil.xyz"]


def test_it_refuses_a_revoked_token(client: Client, cast: Cast) -> None:
    api_token, full = accounts.create_api_token(None, cast.member_b, "fw", "read", 30)
    accounts.revoke_api_token(None, cast.member_b, api_token)
    response = client.get(FEEDS + "plain/ip/", headers={"Authorization": f"Bearer {full}"})
    assert response.status_code == 401


# --- what is in a feed ------------------------------------------------------------------------


def test_it_lists_only_active_indicators(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "live.xyz")
    gone = make_indicator(cast.org_a, "domain", "gone.xyz")
    wrong = make_indicator(cast.org_a, "domain", "wrong.xyz")
    make_indicator(cast.org_a, "domain", "old.xyz", valid_until=timezone.now() - timedelta(days=1))
    service.revoke(None, cast.analyst, gone)
    service.mark_false_positive(None, cast.analyst, wrong, "our own test site")
    assert lines(pull(client, cast.analyst, "plain/domain/")) == ["live.xyz"]


def test_it_lists_each_value_once(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    make_indicator(cast.org_b, "ipv4", "45.77.10.7")
    assert lines(pull(client, cast.analyst, "plain/ipv4/")) == ["45.77.10.7"]


def test_the_ip_list_holds_addresses_and_networks(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    make_indicator(cast.org_a, "ipv6", "2400:8500::7")
    make_indicator(cast.org_a, "cidr", "45.77.12.0/24")
    make_indicator(cast.org_a, "domain", "evil.xyz")
    got = lines(pull(client, cast.member_b, "plain/ip/"))
    assert sorted(got) == ["2400:8500::7", "45.77.10.7", "45.77.12.0/24"]


def test_it_answers_404_for_an_unknown_list_or_format(client: Client, cast: Cast) -> None:
    assert pull(client, cast.analyst, "plain/phone/").status_code == 404
    assert pull(client, cast.analyst, "excel/").status_code == 404


def test_it_refuses_a_bad_since(client: Client, cast: Cast) -> None:
    response = pull(client, cast.analyst, "plain/ip/", since="yesterday")
    assert response.status_code == 400
    assert "ISO 8601" in response.json()["detail"] or "2026" in response.json()["detail"]


def test_it_refuses_a_kind_the_format_has_not(client: Client, cast: Cast) -> None:
    assert pull(client, cast.analyst, "suricata/", kind="md5").status_code == 400
    assert pull(client, cast.analyst, "csv/", kind="domain,phone").status_code == 400


def test_it_leaves_out_warninglisted_values_unless_asked(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "ipv4", "8.8.8.8")
    make_indicator(cast.org_a, "ipv4", "45.77.10.7")
    Asset.objects.create(organisation=cast.org_b, kind="domain", value="power-test.xyz")
    make_indicator(cast.org_a, "domain", "www.power-test.xyz")
    assert lines(pull(client, cast.analyst, "plain/ipv4/")) == ["45.77.10.7"]
    assert lines(pull(client, cast.analyst, "plain/domain/")) == []
    kept = lines(pull(client, cast.analyst, "plain/ipv4/", include_warninglisted="1"))
    assert sorted(kept) == ["45.77.10.7", "8.8.8.8"]


# --- who gets what ----------------------------------------------------------------------------


def share(cast: Cast) -> dict[str, Any]:
    """One indicator per sharing, from org_a."""
    return {
        "green-everyone": make_indicator(cast.org_a, "domain", "green.xyz"),
        "amber-sector": make_indicator(
            cast.org_a, "domain", "sector.xyz", tlp=TLP.AMBER, audience=Audience.SECTORS,
            sectors=[cast.org_a.sector],
        ),
        "strict-org-b": make_indicator(
            cast.org_a, "domain", "strict-b.xyz", tlp=TLP.AMBER_STRICT,
            audience=Audience.ORGANISATIONS, organisations=[cast.org_b],
        ),
        "strict-own": make_indicator(
            cast.org_a, "domain", "strict-own.xyz", tlp=TLP.AMBER_STRICT,
            audience=Audience.CENTRE,
        ),
        "red-people": make_indicator(
            cast.org_a, "domain", "red.xyz", cast.member_a, tlp=TLP.RED,
            audience=Audience.PEOPLE, people=[cast.member_b],
        ),
    }  # fmt: skip


EXPECTED = {
    "member_a": {"green", "sector", "strict-b", "strict-own", "red"},
    "member_a2": {"green", "sector", "strict-b", "strict-own"},
    "admin_a": {"green", "sector", "strict-b", "strict-own"},
    "member_b": {"green", "strict-b", "red"},
    "analyst": {"green", "sector", "strict-b", "strict-own"},
    "commander": {"green", "sector", "strict-b", "strict-own"},
    "auditor": {"green", "sector", "strict-b", "strict-own"},
    "responder": {"green"},
    "vendor_analyst": {"green"},
    "outsider": set(),
}


@pytest.mark.parametrize("person", sorted(EXPECTED))
def test_each_person_gets_only_what_they_may_see(client: Client, cast: Cast, person: str) -> None:
    share(cast)
    user = cast.everyone[person]
    got = {line.removesuffix(".xyz") for line in lines(pull(client, user, "plain/domain/"))}
    assert got == EXPECTED[person]
    csv_values = {
        row.split(",")[1].removesuffix(".xyz") for row in lines(pull(client, user, "csv/"))[1:]
    }
    assert csv_values == EXPECTED[person]


def test_a_vendor_never_gets_a_members_strict_indicator(client: Client, cast: Cast) -> None:
    share(cast)
    for path in ("plain/domain/", "csv/", "suricata/", "snort/", "rpz/"):
        text = body(pull(client, cast.vendor_analyst, path))
        assert "strict" not in text and "red" not in text and "sector" not in text, path


# --- deltas -----------------------------------------------------------------------------------


def test_a_delta_lists_added_and_removed_values(client: Client, cast: Cast) -> None:
    kept = make_indicator(cast.org_a, "domain", "kept.xyz")
    wrong = make_indicator(cast.org_a, "domain", "wrong.xyz")
    gone = make_indicator(cast.org_a, "domain", "gone.xyz")
    with later(10):
        first = pull(client, cast.member_b, "plain/domain/")
        assert sorted(lines(first)) == ["gone.xyz", "kept.xyz", "wrong.xyz"]
        since = first["X-JISP-Next-Since"]
    with later(20):
        service.mark_false_positive(None, cast.analyst, wrong, "a test page")
        service.revoke(None, cast.analyst, gone)
        make_indicator(cast.org_a, "domain", "new.xyz")
        got = lines(pull(client, cast.member_b, "plain/domain/", since=since))
    assert got == ["-gone.xyz", "-wrong.xyz", "+new.xyz"]
    assert kept.pk  # unchanged: not in the delta


def test_a_delta_removes_what_expired_since(client: Client, cast: Cast) -> None:
    now = timezone.now()
    make_indicator(cast.org_a, "ipv4", "45.77.10.9", valid_until=now + timedelta(hours=1))
    since = pull(client, cast.member_b, "plain/ipv4/")["X-JISP-Next-Since"]
    with time_machine.travel(now + timedelta(hours=2)):
        assert lines(pull(client, cast.member_b, "plain/ipv4/", since=since)) == ["-45.77.10.9"]
        assert lines(pull(client, cast.member_b, "plain/ipv4/")) == []


def test_a_delta_keeps_a_value_another_source_still_shares(client: Client, cast: Cast) -> None:
    first = make_indicator(cast.org_a, "domain", "twice.xyz")
    make_indicator(cast.org_b, "domain", "twice.xyz")
    with later(10):
        since = pull(client, cast.member_b, "plain/domain/")["X-JISP-Next-Since"]
    with later(20):
        service.revoke(None, cast.analyst, first)
        assert lines(pull(client, cast.member_b, "plain/domain/", since=since)) == []
        csv_rows = lines(pull(client, cast.member_b, "csv/", since=since))
    assert csv_rows[1] == f"remove,domain,twice.xyz,,,,,,,,{first.stix_id}"


def test_a_delta_removes_what_is_no_longer_shared_with_the_person(
    client: Client, cast: Cast
) -> None:
    indicator = make_indicator(cast.org_a, "domain", "narrowed.xyz")
    with later(10):
        since = pull(client, cast.member_b, "plain/domain/")["X-JISP-Next-Since"]
    with later(20):
        data = service.IndicatorInput(
            kind="domain", value="narrowed.xyz", tlp=TLP.AMBER, audience=Audience.CENTRE
        )
        service.update_indicator(None, cast.analyst, indicator, data)
        assert lines(pull(client, cast.member_b, "plain/domain/", since=since)) == ["-narrowed.xyz"]
        assert lines(pull(client, cast.analyst, "plain/domain/", since=since)) == ["+narrowed.xyz"]


def test_a_delta_never_names_a_value_the_person_never_saw(client: Client, cast: Cast) -> None:
    secret = make_indicator(
        cast.org_a, "domain", "secret.xyz", tlp=TLP.AMBER, audience=Audience.CENTRE
    )
    since = pull(client, cast.vendor_analyst, "plain/domain/")["X-JISP-Next-Since"]
    with later(10):
        service.revoke(None, cast.analyst, secret)
        for path in ("plain/domain/", "csv/", "suricata/", "snort/", "rpz/"):
            text = body(pull(client, cast.vendor_analyst, path, since=since))
            assert "secret" not in text, path
            assert f"sid:{exports.sid(secret.pk, 0)}" not in text, path


def test_a_csv_delta_has_an_action_column(client: Client, cast: Cast) -> None:
    since = pull(client, cast.member_b, "csv/")["X-JISP-Next-Since"]
    with later(10):
        added = make_indicator(cast.org_a, "url", "http://evil.xyz/a", confidence=80)
        rows = lines(pull(client, cast.member_b, "csv/", since=since))
    assert rows[0].startswith("action,kind,value,confidence,tlp,")
    assert rows[1].startswith("add,url,http://evil.xyz/a,80,green,")
    assert rows[1].endswith(added.stix_id)


# --- polling headers --------------------------------------------------------------------------


def test_it_answers_304_while_nothing_changed(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    first = pull(client, cast.member_b, "plain/domain/")
    body(first)
    assert first["ETag"].startswith('W/"')
    assert first["Last-Modified"]
    again = pull(
        client, cast.member_b, "plain/domain/",
        headers={**bearer(cast.member_b), "If-None-Match": first["ETag"]},
    )  # fmt: skip
    assert again.status_code == 304
    assert again["X-JISP-Next-Since"]
    since = pull(
        client, cast.member_b, "plain/domain/",
        headers={**bearer(cast.member_b), "If-Modified-Since": first["Last-Modified"]},
    )  # fmt: skip
    assert since.status_code == 304


def test_a_change_moves_the_etag(client: Client, cast: Cast) -> None:
    indicator = make_indicator(cast.org_a, "domain", "evil.xyz")
    first = pull(client, cast.member_b, "plain/domain/")
    with later(10):
        service.revoke(None, cast.analyst, indicator)
        again = pull(
            client, cast.member_b, "plain/domain/",
            headers={**bearer(cast.member_b), "If-None-Match": first["ETag"]},
        )  # fmt: skip
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_the_next_since_is_a_little_before_now(client: Client, cast: Cast) -> None:
    response = pull(client, cast.member_b, "plain/domain/")
    from django.utils.dateparse import parse_datetime

    moment = parse_datetime(response["X-JISP-Next-Since"])
    assert moment is not None
    assert timedelta(0) < timezone.now() - moment < timedelta(minutes=5)
    assert response["X-JISP-Next-Since"].endswith("Z")


def test_head_answers_the_headers_only(client: Client, cast: Cast) -> None:
    response = client.head(FEEDS + "plain/domain/", headers=bearer(cast.member_b))
    assert response.status_code == 200
    assert response["ETag"]
    assert not AuditEvent.objects.filter(action="intel.export.feed").exists()


# --- audit ------------------------------------------------------------------------------------


def test_it_records_each_pull(client: Client, cast: Cast) -> None:
    make_indicator(cast.org_a, "domain", "evil.xyz")
    make_indicator(cast.org_a, "domain", "bad.xyz")
    body(pull(client, cast.vendor_analyst, "plain/domain/"))
    body(pull(client, cast.vendor_analyst, "csv/", since="2020-01-01T00:00:00Z"))
    events = AuditEvent.objects.filter(action="intel.export.feed").order_by("id")
    assert [(e.actor_id, e.data["format"], e.data["since"], e.data["count"]) for e in events] == [
        (cast.vendor_analyst.pk, "plain/domain", "", 2),
        (cast.vendor_analyst.pk, "csv", "2020-01-01T00:00:00Z", 2),
    ]
