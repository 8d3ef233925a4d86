"""Topics linked to a case (the alert it led to), shown to each reader as far as they may read."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.incidents.models import TimelineEntry
from jisp.incidents.testing import make_case
from jisp.sharing.testing import make_topic


def link(client: Any, case: Any, number: int) -> Any:
    return client.post(reverse("incidents:case_topic", args=[case.pk]), {"topic-number": number})


def test_the_centre_links_a_topic_and_every_reader_sees_it_if_they_may(
    cast: Cast, signed_in: Any
) -> None:
    case = make_case(cast.member_a)
    alert = make_topic(cast.analyst, "【注意喚起】公式サイトへのDDoS攻撃について")
    response = link(signed_in(cast.analyst), case, alert.pk)
    assert response.status_code == 302
    assert list(case.topics.all()) == [alert]
    assert TimelineEntry.objects.filter(case=case, kind="topic", audience="centre").exists()
    assert AuditEvent.objects.filter(action="incidents.case.changed", data__change="topic").exists()
    reporter_page = signed_in(cast.member_a).get(reverse("incidents:case_detail", args=[case.pk]))
    assert "公式サイトへのDDoS攻撃" in reporter_page.content.decode()


def test_a_reader_never_sees_a_linked_topic_they_may_not_read(cast: Cast, signed_in: Any) -> None:
    case = make_case(cast.member_a)
    private = make_topic(
        cast.analyst, "B社だけへの情報", audience="organisations", organisations=[cast.org_b]
    )
    link(signed_in(cast.analyst), case, private.pk)
    assert list(case.topics.all()) == [private]
    page = signed_in(cast.member_a).get(reverse("incidents:case_detail", args=[case.pk]))
    assert page.status_code == 200
    assert "B社だけへの情報" not in page.content.decode()


def test_it_refuses_an_unknown_topic_a_second_link_and_anyone_but_the_centre(
    cast: Cast, signed_in: Any
) -> None:
    case = make_case(cast.member_a)
    alert = make_topic(cast.analyst, "注意喚起")
    client = signed_in(cast.analyst)
    link(client, case, 999_999)
    assert case.topics.count() == 0
    link(client, case, alert.pk)
    link(client, case, alert.pk)
    assert case.topics.count() == 1
    assert link(signed_in(cast.member_a), case, alert.pk).status_code == 403
    assert link(signed_in(cast.auditor), case, alert.pk).status_code == 403
    assert link(signed_in(cast.member_b), case, alert.pk).status_code == 404
