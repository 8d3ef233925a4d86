"""Withdrawing a topic, and submitting a draft."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.sharing.choices import TopicStatus
from jisp.sharing.models import Topic
from jisp.sharing.testing import make_topic


def url(topic: Topic) -> str:
    return reverse("sharing:withdraw", args=[topic.pk])


def test_it_withdraws_a_topic_and_hides_it_from_readers(cast, signed_in, client):
    topic = make_topic(cast.member_a, approve_by=cast.analyst)
    signed_in(cast.member_a)
    response = client.post(url(topic), {"note": "誤報のため"})
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:list")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.WITHDRAWN and topic.review_note == "誤報のため"
    assert AuditEvent.objects.filter(action="sharing.topic.withdrawn", actor=cast.member_a).exists()
    signed_in(cast.member_b)
    assert client.get(reverse("sharing:detail", args=[topic.pk])).status_code == 404


def test_it_lets_the_centre_withdraw_a_members_topic(cast, signed_in):
    topic = make_topic(cast.member_a, approve_by=cast.analyst)
    assert signed_in(cast.analyst).post(url(topic)).status_code == 302
    topic.refresh_from_db()
    assert topic.status == TopicStatus.WITHDRAWN


def test_it_forbids_those_who_see_but_may_not_change(cast, signed_in, client):
    topic = make_topic(cast.member_a, approve_by=cast.analyst)
    for person in (cast.member_b, cast.member_a2, cast.auditor):
        signed_in(person)
        assert client.post(url(topic)).status_code == 403
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED


def test_it_hides_a_topic_one_may_not_see(cast, signed_in):
    topic = make_topic(
        cast.analyst, tlp="amber", audience="organisations", organisations=[cast.org_a]
    )
    assert signed_in(cast.member_b).post(url(topic)).status_code == 404
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED


def test_it_refuses_to_withdraw_twice(cast, signed_in):
    topic = make_topic(cast.analyst)
    client = signed_in(cast.analyst)
    client.post(url(topic))
    response = client.post(url(topic))
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="sharing.topic.withdrawn").count() == 1


def test_it_leads_a_link_to_the_confirmation_on_the_edit_page(cast, signed_in):
    topic = make_topic(cast.analyst)
    response = signed_in(cast.analyst).get(url(topic))
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:edit", args=[topic.pk]) + "#withdraw"
    topic.refresh_from_db()
    assert topic.status == TopicStatus.PUBLISHED


def test_it_submits_a_draft_for_review(cast, signed_in):
    draft = make_topic(cast.member_a, publish=False)
    client = signed_in(cast.member_a)
    assert client.get(reverse("sharing:submit", args=[draft.pk])).status_code == 405
    response = client.post(reverse("sharing:submit", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == TopicStatus.PENDING_REVIEW
    response = client.post(reverse("sharing:submit", args=[draft.pk]))
    assert response.status_code == 400


def test_it_publishes_the_centres_draft_on_submit(cast, signed_in):
    draft = make_topic(cast.analyst, publish=False)
    assert (
        signed_in(cast.analyst).post(reverse("sharing:submit", args=[draft.pk])).status_code == 302
    )
    draft.refresh_from_db()
    assert draft.status == TopicStatus.PUBLISHED


def test_it_hides_drafts_from_others_on_submit(cast, signed_in):
    draft = make_topic(cast.member_a, publish=False)
    assert (
        signed_in(cast.admin_a).post(reverse("sharing:submit", args=[draft.pk])).status_code == 404
    )
    draft.refresh_from_db()
    assert draft.status == TopicStatus.DRAFT
