"""ingest(): checking objects one by one, idempotent versions, indicators, sharing from markings."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.intel.models import Indicator, StixObject
from jisp.intel.stix.importer import IngestContext, ingest
from jisp.intel.stix.objects import TLP_MARKINGS

CREATED = "2021-07-23T01:02:03.000Z"


def indicator(value: str = "evil.example", **extra: Any) -> dict[str, Any]:
    obj = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": CREATED,
        "modified": CREATED,
        "name": f"Phishing {value}",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[domain-name:value = '{value}']",
        "pattern_type": "stix",
        "valid_from": CREATED,
        "labels": ["phishing"],
        "confidence": 80,
    }
    obj.update(extra)
    return obj


def centre_ctx(cast: Any, **extra: Any) -> IngestContext:
    fields = {"tlp": TLP.GREEN, "audience": Audience.EVERYONE, **extra}
    return IngestContext(user=cast.analyst, organisation=cast.centre, **fields)


def test_an_indicator_becomes_a_stix_version_and_an_indicator(cast: Any) -> None:
    obj = indicator("Evil.Example.")
    result = ingest([obj], centre_ctx(cast))
    assert result.successes == [(obj["id"], "2021-07-23T01:02:03.000000Z")]
    assert result.failures == []
    assert result.indicators_added == 1
    ind = Indicator.objects.get()
    assert (ind.kind, ind.value, ind.stix_id) == ("domain", "evil.example", obj["id"])
    assert ind.organisation == cast.centre
    assert ind.confidence == 80
    assert ind.labels == ["phishing"]
    version = StixObject.objects.get()
    assert version.indicator == ind
    assert json.loads(version.body) == obj
    assert (version.tlp, version.audience) == (TLP.GREEN, Audience.EVERYONE)


def test_the_same_version_twice_is_stored_once(cast: Any) -> None:
    obj = indicator()
    ingest([obj, dict(obj)], centre_ctx(cast))
    again = ingest([obj], centre_ctx(cast))
    assert again.successes == [(obj["id"], "2021-07-23T01:02:03.000000Z")]
    assert again.unchanged == 1
    assert again.indicators_added == 0
    assert StixObject.objects.count() == 1
    assert Indicator.objects.count() == 1


def test_a_newer_version_updates_the_indicator(cast: Any) -> None:
    obj = indicator()
    ingest([obj], centre_ctx(cast))
    newer = {**obj, "modified": "2021-07-24T00:00:00.000Z", "confidence": 20, "revoked": True}
    older = {**obj, "modified": "2021-07-23T05:00:00.000Z", "confidence": 99}
    result = ingest([newer, older], centre_ctx(cast))
    assert result.failures == []
    ind = Indicator.objects.get()
    assert ind.confidence == 20
    assert ind.revoked
    assert StixObject.objects.filter(stix_id=obj["id"]).count() == 3


def test_another_id_for_a_known_value_updates_the_row_and_writes_its_own_version(
    cast: Any,
) -> None:
    first = indicator()
    ingest([first], centre_ctx(cast))
    second = indicator(modified="2021-08-01T00:00:00.000Z", confidence=10)
    ingest([second], centre_ctx(cast))
    ind = Indicator.objects.get()
    assert ind.stix_id == first["id"]
    assert ind.confidence == 10
    own = StixObject.objects.filter(stix_id=first["id"]).order_by("date_added").last()
    assert own is not None
    assert json.loads(own.body)["confidence"] == 10
    assert StixObject.objects.filter(stix_id=second["id"], indicator=ind).exists()


def test_bad_objects_fail_with_a_message_and_the_others_go_on(cast: Any) -> None:
    good = indicator()
    bad = [
        "not an object",
        {**indicator(), "type": "Indicator"},
        {**indicator(), "id": "indicator--not-a-uuid"},
        {**indicator(), "id": f"malware--{uuid.uuid4()}"},
        {**indicator(), "spec_version": "2.0"},
        {**indicator(), "modified": "yesterday"},
        {**indicator(), "modified": "2020-01-01T00:00:00Z"},
        {**indicator(), "my_field": 1},
        {**indicator(), "description": "x" * 100_001},
        {**indicator(), "confidence": 101},
        {**indicator(), "valid_until": "2020-01-01T00:00:00Z"},
        {**indicator(), "name": "a\x00b"},
        {**indicator(), "x_deep": json.loads("[" * 30 + "]" * 30)},
        {k: v for k, v in indicator().items() if k != "pattern"},
        {k: v for k, v in indicator().items() if k != "created"},
    ]
    result = ingest([*bad, good], centre_ctx(cast))
    assert result.successes == [(good["id"], "2021-07-23T01:02:03.000000Z")]
    assert len(result.failures) == len(bad)
    assert all(message for _id, _version, message in result.failures)
    assert StixObject.objects.count() == 1


def test_custom_properties_and_other_objects_are_stored_as_they_came(cast: Any) -> None:
    sco = {"type": "ipv4-addr", "id": f"ipv4-addr--{uuid.uuid4()}", "value": "198.51.100.7"}
    complex_pattern = indicator(
        pattern="[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'x.example']",
        x_vendor_score=7,
    )
    result = ingest([sco, complex_pattern], centre_ctx(cast))
    assert result.failures == []
    assert StixObject.objects.count() == 2
    assert not Indicator.objects.exists()
    assert json.loads(StixObject.objects.get(stix_type="indicator").body)["x_vendor_score"] == 7


def test_a_marking_raises_the_tlp_but_never_lowers_it(cast: Any) -> None:
    amber = indicator("a.example", object_marking_refs=[TLP_MARKINGS[TLP.AMBER]])
    clear = indicator("b.example", object_marking_refs=[TLP_MARKINGS[TLP.CLEAR]])
    strict = indicator("c.example", object_marking_refs=[TLP_MARKINGS[TLP.AMBER_STRICT]])
    red = indicator("d.example", object_marking_refs=[TLP_MARKINGS[TLP.RED]])
    ingest([amber, clear, strict, red], centre_ctx(cast))
    sharing = {i.value: (i.tlp, i.audience) for i in Indicator.objects.all()}
    assert sharing == {
        "a.example": (TLP.AMBER, Audience.EVERYONE),
        "b.example": (TLP.GREEN, Audience.EVERYONE),
        "c.example": (TLP.AMBER_STRICT, Audience.CENTRE),
        "d.example": (TLP.RED, Audience.PEOPLE),
    }
    red_row = Indicator.objects.get(value="d.example")
    assert list(red_row.audience_people.all()) == [cast.analyst]
    for obj in StixObject.objects.all():
        ind = obj.indicator
        assert ind is not None
        assert (obj.tlp, obj.audience) == (ind.tlp, ind.audience)


def test_markings_are_ignored_when_the_context_says_so(cast: Any) -> None:
    amber = indicator("a.example", object_marking_refs=[TLP_MARKINGS[TLP.AMBER]])
    ingest([amber], centre_ctx(cast, tlp_from_markings=False))
    assert Indicator.objects.get().tlp == TLP.GREEN


def test_the_audience_comes_from_the_context_and_the_policy_decides(cast: Any) -> None:
    ctx = centre_ctx(cast, tlp=TLP.AMBER, audience=Audience.SECTORS, sectors=[cast.org_a.sector])
    ingest([indicator("rail.example")], ctx)
    ind = Indicator.objects.get()
    assert list(ind.audience_sectors.all()) == [cast.org_a.sector]
    version = StixObject.objects.get()
    assert list(version.audience_sectors.all()) == [cast.org_a.sector]
    for person in (cast.member_a, cast.admin_a, cast.analyst, cast.auditor):
        assert policy.visible(person, Indicator.objects.all()).count() == 1, person
        assert policy.visible(person, StixObject.objects.all()).count() == 1, person
    for person in (cast.member_b, cast.vendor_analyst, cast.responder, cast.outsider):
        assert not policy.visible(person, Indicator.objects.all()).exists(), person
        assert not policy.visible(person, StixObject.objects.all()).exists(), person


def test_a_sharing_the_policy_refuses_is_refused_up_front(cast: Any) -> None:
    with pytest.raises(ValidationError):
        ingest([indicator()], centre_ctx(cast, tlp=TLP.RED, audience=Audience.EVERYONE))
    assert not StixObject.objects.exists()


def test_many_objects_are_written_in_batches(cast: Any, django_assert_max_num_queries: Any) -> None:
    objects = [indicator(f"host{i}.example") for i in range(2500)]
    with django_assert_max_num_queries(40):
        result = ingest(objects, centre_ctx(cast))
    assert result.indicators_added == 2500
    assert StixObject.objects.count() == 2500
    added = list(StixObject.objects.order_by("date_added").values_list("date_added", flat=True))
    assert len(set(added)) == 2500
