"""The centre's follow-up of acknowledgements: per organisation, pending only, and reminders."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.sharing.models import Acknowledgement, Topic
from jisp.sharing.services import fanout, topics
from jisp.sharing.testing import make_topic


def url(topic: Topic) -> str:
    return reverse("sharing:ack_status", args=[topic.pk])


def important(cast) -> Topic:
    return make_topic(
        cast.analyst, category="important", requires_ack=True, tlp="amber",
        audience="organisations", organisations=[cast.org_a, cast.org_b],
    )  # fmt: skip


def test_it_lists_each_targeted_organisation_with_who_read_and_acted(cast, signed_in):
    topic = important(cast)
    topics.acknowledge(None, cast.member_a, topic, cast.org_a, actioned=True)
    response = signed_in(cast.analyst).get(url(topic))
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert {ack.organisation for ack in rows} == {cast.org_a, cast.org_b}
    assert response.context["counts"] == {"total": 2, "read": 1, "actioned": 1, "pending": 1}
    html = response.content.decode()
    assert "鈴木 愛" in html and "関東電力テスト" in html


def test_it_filters_the_pending_ones(cast, signed_in):
    topic = important(cast)
    topics.acknowledge(None, cast.member_a, topic, cast.org_a, actioned=True)
    response = signed_in(cast.analyst).get(url(topic) + "?pending=1")
    assert [ack.organisation for ack in response.context["page"].object_list] == [cast.org_b]


def test_it_hides_the_page_from_everyone_but_the_centre(cast, signed_in, client):
    topic = important(cast)
    for person in (cast.member_a, cast.admin_a, cast.member_b, cast.auditor, cast.responder):
        signed_in(person)
        assert client.get(url(topic)).status_code == 404
        assert client.post(reverse("sharing:remind", args=[topic.pk])).status_code == 404
    assert not Acknowledgement.objects.filter(reminded_at__isnull=False).exists()


def test_it_reminds_the_pending_ones(
    cast, signed_in, monkeypatch, django_capture_on_commit_callbacks
):
    told = []
    monkeypatch.setattr(fanout, "ack_reminder", lambda topic_id, ids: told.append(sorted(ids)))
    topic = important(cast)
    topics.acknowledge(None, cast.member_a, topic, cast.org_a, actioned=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in(cast.analyst).post(reverse("sharing:remind", args=[topic.pk]))
    assert response.status_code == 302
    assert response["Location"] == url(topic)
    assert Acknowledgement.objects.get(organisation=cast.org_b).reminded_at is not None
    assert Acknowledgement.objects.get(organisation=cast.org_a).reminded_at is None
    assert told == [[cast.org_b.pk]]
    assert AuditEvent.objects.get(action="sharing.topic.reminded").data["organisations"] == 1


def test_it_refuses_to_remind_for_a_topic_that_needs_no_acknowledgement(cast, signed_in):
    topic = make_topic(cast.analyst)
    client = signed_in(cast.analyst)
    assert client.get(url(topic)).status_code == 200
    assert client.post(reverse("sharing:remind", args=[topic.pk])).status_code == 400
    assert not AuditEvent.objects.filter(action="sharing.topic.reminded").exists()
