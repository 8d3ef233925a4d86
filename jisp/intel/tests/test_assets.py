"""Members' assets: what may be registered, what touches them, and the alerts (never a leak)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

import jisp.intel.receivers  # noqa: F401  (connects the receivers, as IntelConfig.ready does)
from jisp.core.choices import TLP, Audience
from jisp.core.models import AuditEvent, Notification
from jisp.core.testing import Cast
from jisp.incidents.models import ReportRecipient
from jisp.incidents.testing import make_report
from jisp.intel.models import Asset
from jisp.intel.notifications import ASSET_TOUCHED, ASSET_TOUCHED_CENTRE
from jisp.intel.services import assets as service
from jisp.intel.services.indicators import IndicatorInput, update_indicator
from jisp.intel.services.sightings import SightingInput, report_sighting
from jisp.intel.testing import make_indicator
from jisp.sharing.testing import make_topic

# --- Registering -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        ("domain", "JR-Test.CO.JP.", "jr-test.co.jp"),
        ("domain", "例え.jp", "xn--r8jz45g.jp"),
        ("network", "203.0.113.7", "203.0.113.7/32"),
        ("network", "203.0.113.77/24", "203.0.113.0/24"),
        ("network", "198.18.0.0/16", "198.18.0.0/16"),
        ("network", "2001:DB8::/32", "2001:db8::/32"),
    ],
)
def test_values_are_stored_in_canonical_form(
    cast: Cast, kind: str, value: str, stored: str
) -> None:
    asset = service.add_asset(None, cast.admin_a, cast.org_a, kind, value, "本社")
    assert asset.value == stored
    assert AuditEvent.objects.filter(action="intel.asset.changed").count() == 1


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("domain", "co.jp"),
        ("domain", "com"),
        ("domain", "tokyo.jp"),
        ("domain", "github.io"),
        ("domain", "not a domain"),
        ("network", "203.0.0.0/15"),
        ("network", "2001:db8::/31"),
        ("network", "10.1.0.0/16"),
        ("network", "192.168.1.1"),
        ("network", "fe80::1"),
        ("network", "300.1.1.1"),
        ("other", "x"),
    ],
)
def test_broad_shared_or_bad_values_are_refused(cast: Cast, kind: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        service.add_asset(None, cast.admin_a, cast.org_a, kind, value)
    assert caught.value.message_dict
    assert not Asset.objects.exists()


def test_the_same_asset_twice_is_refused(cast: Cast) -> None:
    service.add_asset(None, cast.admin_a, cast.org_a, "domain", "jr-test.co.jp")
    with pytest.raises(ValidationError):
        service.add_asset(None, cast.analyst, cast.org_a, "domain", "JR-TEST.co.jp")
    assert Asset.objects.count() == 1


@pytest.mark.parametrize("person", ["member_a", "member_b", "auditor", "vendor_analyst",
                                    "outsider"])  # fmt: skip
def test_only_administrators_and_the_centre_change_assets(cast: Cast, person: str) -> None:
    asset = service.add_asset(None, cast.analyst, cast.org_a, "domain", "jr-test.co.jp")
    with pytest.raises(PermissionDenied):
        service.add_asset(None, getattr(cast, person), cast.org_a, "domain", "other-test.jp")
    with pytest.raises(PermissionDenied):
        service.remove_asset(None, getattr(cast, person), asset)
    service.remove_asset(None, cast.admin_a, asset)
    assert not Asset.objects.exists()


# --- Matching ----------------------------------------------------------------------------------


@pytest.fixture
def owned(cast: Cast) -> dict[str, Asset]:
    return {
        "domain": service.add_asset(None, cast.admin_a, cast.org_a, "domain", "jr-test.co.jp"),
        "net": service.add_asset(None, cast.admin_a, cast.org_a, "network", "203.0.113.0/24"),
        "v6": service.add_asset(None, cast.admin_a, cast.org_a, "network", "2001:db8:5::/48"),
        "other": service.add_asset(None, cast.analyst, cast.org_b, "domain", "power-test.jp"),
    }


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("domain", "jr-test.co.jp", {"domain"}),
        ("domain", "login.www.jr-test.co.jp", {"domain"}),
        ("domain", "notjr-test.co.jp", set()),
        ("domain", "co.jp", set()),
        ("url", "https://mail.jr-test.co.jp:8443/login?x=1", {"domain"}),
        ("url", "http://203.0.113.40/x", {"net"}),
        ("url", "http://[2001:db8:5::1]/", {"v6"}),
        ("email", "ceo@jr-test.co.jp", {"domain"}),
        ("ipv4", "203.0.113.200", {"net"}),
        ("ipv4", "203.0.114.1", set()),
        ("cidr", "203.0.113.128/25", {"net"}),
        ("cidr", "203.0.0.0/16", {"net"}),
        ("ipv6", "2001:db8:5:1::9", {"v6"}),
        ("ipv6", "2001:db8:6::9", set()),
        ("sha256", "a" * 64, set()),
        ("domain", "power-test.jp", {"other"}),
    ],
)
def test_assets_touched(owned: dict[str, Asset], kind: str, value: str, expected: set[str]) -> None:
    names = {pk: name for name, a in owned.items() for pk in [a.pk]}
    assert {names[a.pk] for a in service.assets_touched(kind, value)} == expected


def test_one_index_answers_many_values(
    owned: dict[str, Asset], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        index = service.AssetIndex.load()
    with django_assert_num_queries(0):
        hits = [index.touched("ipv4", f"203.0.113.{i}") for i in range(256)]
    assert all(len(h) == 1 for h in hits)


# --- Alerts ------------------------------------------------------------------------------------


Run = Callable[[Callable[[], Any]], Any]


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Run:
    """Run ``work`` and what it leaves for after the commit (signals, receivers)."""

    def go(work: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return work()

    return go


def told(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__email", flat=True))


ORG_A = {"alice@rail.example", "aki@rail.example", "admin@rail.example"}
CENTRE = {"analyst@centre.example", "commander@centre.example"}


def test_an_indicator_they_may_see_alerts_the_members(cast: Cast, owned: Any, run: Run) -> None:
    run(lambda: make_indicator(cast.org_b, "domain", "vpn.jr-test.co.jp", cast.member_b))
    assert told(ASSET_TOUCHED) == ORG_A
    assert told(ASSET_TOUCHED_CENTRE) == set()
    note = Notification.objects.filter(kind=ASSET_TOUCHED).first()
    assert note is not None and "jr-test.co.jp" in note.title


def test_an_indicator_they_may_not_see_alerts_the_centre_only(
    cast: Cast, owned: Any, run: Run
) -> None:
    indicator = run(lambda: make_indicator(
        cast.org_b, "ipv4", "203.0.113.66", cast.member_b, tlp=TLP.AMBER,
        audience=Audience.CENTRE,
    ))  # fmt: skip
    assert told(ASSET_TOUCHED) == set()
    assert told(ASSET_TOUCHED_CENTRE) == CENTRE
    note = Notification.objects.filter(kind=ASSET_TOUCHED_CENTRE).first()
    assert note is not None and note.data["organisation"] == cast.org_a.pk
    # Changed again: no second alert. Shared more widely: now the members are told, once.
    data = IndicatorInput(kind="ipv4", value="203.0.113.66", tlp=TLP.AMBER,
                          audience=Audience.CENTRE, confidence=70)  # fmt: skip
    run(lambda: update_indicator(None, cast.member_b, indicator, data))
    assert Notification.objects.filter(kind=ASSET_TOUCHED_CENTRE).count() == 2
    data.audience = Audience.EVERYONE
    run(lambda: update_indicator(None, cast.member_b, indicator, data))
    run(lambda: update_indicator(None, cast.member_b, indicator, data))
    assert told(ASSET_TOUCHED) == ORG_A
    assert Notification.objects.filter(kind=ASSET_TOUCHED).count() == 3


def test_red_items_alert_nobody(cast: Cast, owned: Any, run: Run) -> None:
    run(lambda: make_indicator(
        cast.org_b, "ipv4", "203.0.113.66", cast.member_b, tlp=TLP.RED,
        audience=Audience.PEOPLE, people=[cast.member_b],
    ))  # fmt: skip
    assert not Notification.objects.filter(kind__startswith="intel.asset").exists()


def test_an_organisations_own_indicator_does_not_alert_it(cast: Cast, owned: Any, run: Run) -> None:
    run(lambda: make_indicator(cast.org_a, "domain", "jr-test.co.jp", cast.member_a))
    assert not Notification.objects.filter(kind__startswith="intel.asset").exists()


def test_a_sighting_alerts_the_centre_when_the_member_may_not_see_it(
    cast: Cast, owned: Any, run: Run
) -> None:
    indicator = make_indicator(cast.org_b, "ipv4", "203.0.113.66", cast.member_b,
                               tlp=TLP.AMBER, audience=Audience.CENTRE)  # fmt: skip
    Notification.objects.all().delete()
    run(lambda: report_sighting(None, cast.member_b, indicator, SightingInput()))
    assert told(ASSET_TOUCHED) == set()
    assert told(ASSET_TOUCHED_CENTRE) == CENTRE
    assert Notification.objects.filter(data__asset_alert__icontains="intel.sighting").count() == 2


def test_a_published_topic_alerts_its_readers_among_the_owners(
    cast: Cast, owned: Any, run: Run
) -> None:
    body = "偽サイト hxxps://login[.]jr-test[.]co[.]jp/ に注意"
    run(lambda: make_topic(cast.analyst, "注意喚起", body=body, publish=False))
    assert not Notification.objects.filter(kind__startswith="intel.asset").exists()
    run(lambda: make_topic(cast.analyst, "注意喚起", body=body))
    assert told(ASSET_TOUCHED) == ORG_A


def test_a_report_alerts_the_owner_only_when_routed_to_it_in_full(
    cast: Cast, owned: Any, run: Run
) -> None:
    report = run(lambda: make_report(cast.member_b, "不審な通信",
                                     indicators="203.0.113.5\nvpn.jr-test.co.jp"))  # fmt: skip
    assert told(ASSET_TOUCHED) == set()
    assert told(ASSET_TOUCHED_CENTRE) == CENTRE
    # One alert per organisation and item, naming both assets.
    assert Notification.objects.filter(kind=ASSET_TOUCHED_CENTRE).count() == 2
    note = Notification.objects.filter(kind=ASSET_TOUCHED_CENTRE).first()
    assert note is not None
    assert "203.0.113.0/24" in note.title and "jr-test.co.jp" in note.title

    def route(grant: str) -> None:
        ReportRecipient.objects.update_or_create(
            report=report, organisation=cast.org_a, defaults={"grant": grant}
        )
        report.save()

    run(lambda: route("redacted"))
    assert told(ASSET_TOUCHED) == set()
    run(lambda: route("full"))
    assert told(ASSET_TOUCHED) == ORG_A
