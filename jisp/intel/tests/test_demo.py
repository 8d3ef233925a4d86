"""The demo threat intelligence (jisp/intel/demo.py): the seed's indicators, verdicts, sightings."""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Count

from jisp.core import policy
from jisp.core.choices import Audience, OrganisationCategory
from jisp.core.demo import loader
from jisp.core.models import Membership, User
from jisp.intel import demo
from jisp.intel.indicators import normalise
from jisp.intel.models import Asset, Indicator, Sighting, StixObject, VerdictAnswer, VerdictRequest
from jisp.sharing import demo as sharing_demo

DOC_NETWORKS = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32")
]


@pytest.fixture(scope="module")
def loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The core and sharing demos, then ours (timed), in a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        plan = loader.build_plan()
        loader.load(plan, history_end=date(2024, 6, 14))
        sharing_demo.load(plan)
        started = time.perf_counter()
        result = demo.load(plan)
        elapsed = time.perf_counter() - started
        yield {"plan": plan, "result": result, "elapsed": elapsed}
        transaction.set_rollback(True)


@pytest.fixture
def demo_data(loaded: dict[str, Any], db: Any) -> dict[str, Any]:
    return loaded


def test_it_loads_quickly(demo_data: dict[str, Any]) -> None:
    assert demo_data["result"] is not None
    print(f"intel demo: {demo_data['result']} in {demo_data['elapsed']:.2f} s")
    assert demo_data["elapsed"] < 10


def test_it_holds_the_seeds_numbers(demo_data: dict[str, Any]) -> None:
    indicators = Indicator.objects.all()
    domains = list(indicators.filter(kind="domain").values_list("labels", flat=True))
    assert sum("不審ドメイン" in labels for labels in domains) >= 600
    assert sum("偽ライブ配信サイト" in labels for labels in domains) == 36
    phishing_urls = indicators.filter(kind="url", name__contains="フィッシングサイト")
    assert phishing_urls.count() == 45
    assert indicators.filter(malware="Wiper", kind="sha256").count() == 3
    for family in ("Emotet", "Trickbot", "Mirai"):
        assert indicators.filter(malware=family).exists()
    assert indicators.filter(labels__icontains="DDoS").count() >= 60


def test_every_value_is_canonical_and_harmless(demo_data: dict[str, Any]) -> None:
    for kind, value in Indicator.objects.values_list("kind", "value"):
        assert normalise(kind, value) == value
        if kind in ("ipv4", "ipv6", "cidr"):
            network = ipaddress.ip_network(value, strict=False)
            assert any(network.subnet_of(n) for n in DOC_NETWORKS if n.version == network.version)
        elif kind in ("domain", "email"):
            assert value.endswith(".example")
        elif kind == "url":
            assert ".example/" in value


def test_every_indicator_has_one_stix_version(demo_data: dict[str, Any]) -> None:
    counts = Indicator.objects.annotate(n=Count("stix_versions")).values_list("n", flat=True)
    assert set(counts) == {1}
    version = StixObject.objects.filter(indicator__malware="Wiper", indicator__kind="md5").first()
    assert version is not None
    body = json.loads(version.body)
    assert body["pattern"].startswith("[file:hashes.'MD5' = '")
    assert body["created"].startswith("2021-07-2")


def test_the_wiper_and_ddos_indicators_link_their_topics(demo_data: dict[str, Any]) -> None:
    wiper = Indicator.objects.filter(malware="Wiper").first()
    assert wiper is not None
    assert wiper.topics.filter(title__contains="被害報告を装う").exists()
    ddos = Indicator.objects.filter(labels__icontains="DDoS", topics__isnull=False)
    assert ddos.exists()


def test_the_same_value_comes_from_two_sources(demo_data: dict[str, Any]) -> None:
    shared = (
        Indicator.objects.values("kind", "value")
        .annotate(n=Count("organisation", distinct=True))
        .filter(n__gt=1)
    )
    assert shared.exists()


def test_five_vendors_answer_the_verdict_requests(demo_data: dict[str, Any]) -> None:
    assert VerdictRequest.objects.count() == 8
    vendors = set(VerdictAnswer.objects.values_list("vendor__category", flat=True))
    assert vendors == {OrganisationCategory.VENDOR}
    assert VerdictAnswer.objects.values("vendor").distinct().count() == 5
    assert VerdictAnswer.objects.filter(verdict="harmless").exists()
    assert VerdictRequest.objects.filter(on_behalf_of__isnull=False, share_with_member=True)


def test_sightings_stay_with_the_centre(demo_data: dict[str, Any]) -> None:
    assert Sighting.objects.count() >= 70
    assert set(Sighting.objects.values_list("audience", flat=True)) == {Audience.CENTRE}
    sighting = Sighting.objects.order_by("pk").first()
    assert sighting is not None
    stranger = (
        User.objects.filter(memberships__organisation__category=OrganisationCategory.OPERATOR)
        .exclude(memberships__organisation=sighting.organisation)
        .order_by("email")
        .first()
    )
    assert not policy.can_view(stranger, sighting)


def test_members_have_assets(demo_data: dict[str, Any]) -> None:
    assert Asset.objects.count() >= 40
    owners = Asset.objects.values_list("organisation_id", flat=True)
    assert not Membership.objects.filter(
        organisation_id__in=owners, organisation__category=OrganisationCategory.CENTRE
    ).exists()


def test_loading_twice_adds_nothing(demo_data: dict[str, Any]) -> None:
    before = Indicator.objects.count()
    assert demo.load(demo_data["plan"]) is None
    assert Indicator.objects.count() == before


def test_it_is_deterministic() -> None:
    assert demo.build_specs(7) == demo.build_specs(7)


def test_delete_removes_it_all(demo_data: dict[str, Any]) -> None:
    with transaction.atomic():
        deleted = demo.delete(demo_data["plan"])
        assert deleted > 600
        assert not Indicator.objects.exists()
        assert not StixObject.objects.exists()
        assert not VerdictRequest.objects.exists()
        assert not Asset.objects.exists()
        transaction.set_rollback(True)
