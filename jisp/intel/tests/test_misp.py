"""MISP import: events and feed folders mapped to indicators, tags and TLP; all or nothing."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.intel.choices import ImportState
from jisp.intel.misp import import_misp_event, import_misp_feed
from jisp.intel.models import ImportRun, Indicator, StixObject
from jisp.intel.stix.importer import ImportFailed, IngestContext


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def attribute(kind: str, value: str, **extra: Any) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "type": kind,
        "category": "Network activity",
        "value": value,
        "to_ids": True,
        "timestamp": "1627000000",
        "comment": "",
        "x_unknown_field": {"ignored": True},
        **extra,
    }


def event(attributes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "Event": {
            "uuid": str(uuid.uuid4()),
            "info": "Phishing campaign against railway operators",
            "threat_level_id": "1",
            "timestamp": "1627000000",
            "Tag": [{"name": "tlp:green"}, {"name": "phishing"}],
            "Attribute": attributes,
            "Orgc": {"name": "CERT"},
            **extra,
        }
    }


def ctx(cast: Any, **extra: Any) -> IngestContext:
    fields = {"tlp": TLP.GREEN, "audience": Audience.EVERYONE, **extra}
    return IngestContext(user=cast.analyst, organisation=cast.centre, **fields)


def test_attributes_become_indicators_with_tags_and_confidence(cast: Any) -> None:
    data = event(
        [
            attribute("ip-dst", "198.51.100.7"),
            attribute("ip-src|port", "203.0.113.5|443"),
            attribute("domain", "Evil.Example."),
            attribute("hostname", "login.evil.example"),
            attribute("url", "http://evil.example/login"),
            attribute("email-src", "bad@evil.example"),
            attribute("md5", "d41d8cd98f00b204e9800998ecf8427e"),
            attribute("filename|sha256", "x.exe|" + "a" * 64),
            attribute("text", "just a note"),
            attribute("domain", "context.example", to_ids=False),
        ],
        Object=[{"name": "file", "Attribute": [attribute("sha1", "b" * 40)]}],
    )
    run = import_misp_event(data, ctx(cast), name="event.json")
    assert run.state == ImportState.DONE
    assert run.indicators_added == 9
    assert "text (1)" in run.errors[0]["message"]
    assert "to_ids false (1)" in run.errors[0]["message"]
    values = dict(Indicator.objects.values_list("value", "kind"))
    assert values["evil.example"] == "domain"
    assert values["203.0.113.5"] == "ipv4"
    assert values["a" * 64] == "sha256"
    ind = Indicator.objects.get(value="evil.example")
    assert ind.labels == ["phishing"]
    assert ind.confidence == 80
    assert ind.name == "Phishing campaign against railway operators"
    assert StixObject.objects.count() == 9


def test_importing_an_event_twice_gives_the_same_rows(cast: Any) -> None:
    data = event([attribute("domain", "evil.example"), attribute("ip-dst", "198.51.100.7")])
    import_misp_event(data, ctx(cast))
    rows = sorted(StixObject.objects.values_list("stix_id", "modified"))
    again = import_misp_event(io.BytesIO(json.dumps([data]).encode()), ctx(cast))
    assert (again.indicators_added, again.unchanged) == (0, 2)
    assert sorted(StixObject.objects.values_list("stix_id", "modified")) == rows


def test_a_changed_attribute_updates_the_indicator(cast: Any) -> None:
    attr = attribute("domain", "evil.example")
    import_misp_event(event([attr]), ctx(cast))
    changed = {**attr, "timestamp": "1628000000", "comment": "now a C2"}
    import_misp_event(event([changed]), ctx(cast))
    assert Indicator.objects.get().description == "now a C2"
    assert StixObject.objects.count() == 2


def test_tlp_tags_raise_the_tlp(cast: Any) -> None:
    data = event(
        [
            attribute("domain", "a.example"),
            attribute("domain", "b.example", Tag=[{"name": "tlp:amber"}]),
            attribute("domain", "c.example", Tag=[{"name": "TLP:RED"}]),
        ],
        Tag=[{"name": "tlp:white"}],
    )
    import_misp_event(data, ctx(cast))
    sharing = {i.value: (i.tlp, i.audience) for i in Indicator.objects.all()}
    assert sharing == {
        "a.example": (TLP.GREEN, Audience.EVERYONE),
        "b.example": (TLP.AMBER, Audience.EVERYONE),
        "c.example": (TLP.RED, Audience.PEOPLE),
    }
    red = Indicator.objects.get(value="c.example")
    assert not policy.visible(cast.commander, Indicator.objects.filter(pk=red.pk)).exists()
    assert policy.visible(cast.member_b, Indicator.objects.all()).count() == 2


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"{not json", "JSON"),
        (b'{"something": "else"}', "MISP event"),
        (json.dumps(event("not a list")).encode(), "must be a list"),
        (json.dumps(event([{"type": "domain", "value": "x.example"}])).encode(), "UUID"),
        (
            json.dumps(event([attribute("domain", "ok.example"), attribute("domain", 5)])).encode(),
            "texts",
        ),
        (
            json.dumps(event([attribute("domain", "x.example", timestamp="soon")])).encode(),
            "timestamp",
        ),
        (json.dumps(event([], Tag=[{"colour": "#fff"}])).encode(), "tag"),
    ],
)
def test_a_malformed_file_is_refused_and_nothing_is_kept(
    cast: Any, data: bytes, words: str
) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_misp_event(io.BytesIO(data), ctx(cast))
    assert words in " ".join(caught.value.messages)
    assert not Indicator.objects.exists()
    assert not StixObject.objects.exists()
    assert ImportRun.objects.get().state == ImportState.FAILED


def test_only_the_centre_imports_misp(cast: Any) -> None:
    with pytest.raises(PermissionDenied):
        import_misp_event(event([]), IngestContext(cast.member_a, cast.org_a, "green", "everyone"))


def write_feed(folder: Path, events: list[dict[str, Any]], listed: int | None = None) -> None:
    manifest = {}
    for item in events:
        e = item["Event"]
        (folder / f"{e['uuid']}.json").write_text(json.dumps(item))
        manifest[e["uuid"]] = {"info": e["info"], "timestamp": e["timestamp"]}
    keep = list(manifest)[: listed if listed is not None else len(manifest)]
    (folder / "manifest.json").write_text(json.dumps({k: manifest[k] for k in keep}))


def test_a_feed_imports_the_events_of_its_manifest_only(cast: Any, tmp_path: Path) -> None:
    events = [event([attribute("domain", f"e{i}.example")]) for i in range(3)]
    write_feed(tmp_path, events, listed=2)
    run = import_misp_feed(tmp_path, ctx(cast))
    assert run.indicators_added == 2
    again = import_misp_feed(tmp_path, ctx(cast))
    assert (again.indicators_added, again.unchanged) == (0, 2)
    assert Indicator.objects.count() == 2


def test_a_feed_with_a_bad_manifest_or_event_is_refused(cast: Any, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed):
        import_misp_feed(tmp_path, ctx(cast))  # no manifest
    (tmp_path / "manifest.json").write_text(json.dumps({"../../etc/passwd": {}}))
    with pytest.raises(ImportFailed) as caught:
        import_misp_feed(tmp_path, ctx(cast))
    assert "not a UUID" in " ".join(caught.value.messages)
    good = event([attribute("domain", "good.example")])
    bad = event("broken")
    write_feed(tmp_path, [good, bad])
    with pytest.raises(ImportFailed):
        import_misp_feed(tmp_path, ctx(cast))
    assert not Indicator.objects.exists()


def test_a_missing_event_file_is_reported_and_the_others_imported(
    cast: Any, tmp_path: Path
) -> None:
    write_feed(tmp_path, [event([attribute("domain", "good.example")])])
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest[str(uuid.uuid4())] = {"info": "gone"}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    run = import_misp_feed(tmp_path, ctx(cast))
    assert run.indicators_added == 1
    assert any("missing" in e["message"] for e in run.errors)
