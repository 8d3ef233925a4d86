"""Extraction: paste a text, review what was found, save the chosen values all or nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jisp.core.choices import TLP, Audience
from jisp.intel.models import Indicator
from jisp.intel.testing import make_indicator
from jisp.sharing.testing import make_topic

pytestmark = pytest.mark.django_db

URL = reverse("intel:extract")

TEXT = """攻撃の送信元: 8.8.8.8 と 45.67.89[.]10
配布URL: hxxp://malware-drop[.]net/payload.exe
検体 SHA-256: 0f343b0931126a20f133d67c2b018a3b5e4f1f7a6a8a5b6c7d8e9f00112233aa
"""


def _review(client: Any, text: str = TEXT, **extra: Any) -> Any:
    return client.post(URL, {"step": "review", "text": text, **extra})


def _save_data(response: Any, picks: list[int] | None = None, **fields: Any) -> dict[str, Any]:
    candidates = response.context["candidates"]
    data: dict[str, Any] = {
        "step": "save",
        "kind": [c.kind for c in candidates],
        "value": [c.value for c in candidates],
        "original": [c.original for c in candidates],
        "pick": [str(c.index) for c in candidates if c.picked] if picks is None else picks,
        "tlp": "amber",
        "audience": "everyone",
        "confidence": "70",
        "labels": "DDoS",
    }
    data.update(fields)
    return data


def test_it_finds_the_values_with_their_defanged_forms(cast: Any, signed_in: Any) -> None:
    response = _review(signed_in(cast.member_a))
    assert response.status_code == 200
    found = {(c.kind, c.value): c for c in response.context["candidates"]}
    assert ("ipv4", "45.67.89.10") in found
    assert found[("ipv4", "45.67.89.10")].defanged
    assert ("url", "http://malware-drop.net/payload.exe") in found
    assert any(kind == "sha256" for kind, _v in found)


def test_warninglisted_values_are_not_ticked(cast: Any, signed_in: Any) -> None:
    response = _review(signed_in(cast.member_a))
    found = {c.value: c for c in response.context["candidates"]}
    assert found["8.8.8.8"].warnings and not found["8.8.8.8"].picked
    assert found["45.67.89.10"].picked


def test_known_values_are_flagged(cast: Any, signed_in: Any) -> None:
    make_indicator(cast.org_b, "ipv4", "45.67.89.10", cast.member_b)
    make_indicator(cast.org_a, "url", "http://malware-drop.net/payload.exe", cast.member_a)
    found = {c.value: c for c in _review(signed_in(cast.member_a)).context["candidates"]}
    assert found["45.67.89.10"].known and not found["45.67.89.10"].ours
    assert found["http://malware-drop.net/payload.exe"].ours
    assert not found["http://malware-drop.net/payload.exe"].picked


def test_hidden_indicators_do_not_count_as_known(cast: Any, signed_in: Any) -> None:
    make_indicator(
        cast.org_b, "ipv4", "45.67.89.10", cast.member_b, tlp=TLP.AMBER, audience=Audience.CENTRE
    )
    found = {c.value: c for c in _review(signed_in(cast.member_a)).context["candidates"]}
    assert not found["45.67.89.10"].known


def test_the_chosen_values_are_saved_together(cast: Any, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    review = _review(client)
    response = client.post(URL, _save_data(review))
    assert response.status_code == 302
    saved = Indicator.objects.all()
    assert {i.value for i in saved} == {
        "45.67.89.10",
        "http://malware-drop.net/payload.exe",
        "0f343b0931126a20f133d67c2b018a3b5e4f1f7a6a8a5b6c7d8e9f00112233aa",
    }
    assert {(i.tlp, i.confidence, tuple(i.labels)) for i in saved} == {("amber", 70, ("DDoS",))}
    assert {i.organisation for i in saved} == {cast.org_a}


def test_one_refused_value_saves_nothing(cast: Any, signed_in: Any) -> None:
    make_indicator(cast.org_a, "ipv4", "45.67.89.10", cast.member_a)
    client = signed_in(cast.member_a)
    review = _review(client)
    everything = [str(c.index) for c in review.context["candidates"]]
    response = client.post(URL, _save_data(review, picks=everything))
    assert response.status_code == 400
    rows = {c.value: c for c in response.context["candidates"]}
    assert rows["45.67.89.10"].error
    assert Indicator.objects.count() == 1


def test_a_refused_sharing_saves_nothing(cast: Any, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    review = _review(client)
    response = client.post(URL, _save_data(review, tlp="red", audience="everyone"))
    assert response.status_code == 400
    assert response.context["save_form"].errors.get("audience")
    assert not Indicator.objects.exists()


def test_nothing_ticked_is_an_error(cast: Any, signed_in: Any) -> None:
    client = signed_in(cast.member_a)
    response = client.post(URL, _save_data(_review(client), picks=[]))
    assert response.status_code == 400
    assert not Indicator.objects.exists()


def test_a_text_without_indicators_says_so(cast: Any, signed_in: Any) -> None:
    response = _review(signed_in(cast.member_a), text="特に不審な点はありません。")
    assert response.status_code == 400
    assert response.context["form"].errors["text"]


def test_a_topic_prefills_the_text_and_links_the_indicators(cast: Any, signed_in: Any) -> None:
    topic = make_topic(cast.analyst, body="C2: 45.67.89[.]10")
    client = signed_in(cast.member_a)
    page = client.get(URL, {"topic": topic.pk})
    assert "45.67.89[.]10" in page.content.decode()
    review = _review(client, text="C2: 45.67.89[.]10", topic=str(topic.pk))
    response = client.post(URL, _save_data(review, topic=str(topic.pk)))
    assert response.status_code == 302
    assert Indicator.objects.get().topics.get() == topic


def test_a_topic_the_person_may_not_read_is_not_found(cast: Any, signed_in: Any) -> None:
    topic = make_topic(
        cast.analyst, body="C2: 45.67.89[.]10", tlp=TLP.AMBER, audience=Audience.CENTRE
    )
    client = signed_in(cast.member_a)
    assert client.get(URL, {"topic": topic.pk}).status_code == 404
    review = _review(client, text="C2: 45.67.89[.]10")
    assert client.post(URL, _save_data(review, topic=str(topic.pk))).status_code == 404
    assert not Indicator.objects.exists()


def test_auditors_and_outsiders_may_not_extract(cast: Any, signed_in: Any) -> None:
    assert signed_in(cast.auditor).get(URL).status_code == 403
    assert signed_in(cast.outsider).get(URL).status_code == 403


def test_a_report_prefills_the_text_and_links_the_indicators(cast: Any, signed_in: Any) -> None:
    from jisp.incidents.testing import make_report

    report = make_report(cast.member_a, indicators="45.67.89[.]10")
    client = signed_in(cast.member_a)
    assert "45.67.89[.]10" in client.get(URL, {"report": report.pk}).content.decode()
    review = _review(client, text="45.67.89[.]10", report=str(report.pk))
    response = client.post(URL, _save_data(review, report=str(report.pk)))
    assert response.status_code == 302
    assert Indicator.objects.get().reports.get() == report


def test_a_redacted_report_gives_no_text(cast: Any, signed_in: Any) -> None:
    from jisp.incidents.services.routing import share_report
    from jisp.incidents.testing import make_report

    report = make_report(cast.member_a, indicators="45.67.89[.]10")
    share_report(cast.analyst, report, cast.org_b, "redacted")
    page = signed_in(cast.member_b).get(URL, {"report": report.pk})
    assert page.status_code == 200
    assert "45.67.89" not in page.content.decode()


def test_a_report_of_another_org_is_not_found(cast: Any, signed_in: Any) -> None:
    from jisp.incidents.testing import make_report

    report = make_report(cast.member_a, indicators="45.67.89[.]10")
    assert signed_in(cast.member_b).get(URL, {"report": report.pk}).status_code == 404
    assert signed_in(cast.member_b).get(URL, {"report": "x"}).status_code == 404
