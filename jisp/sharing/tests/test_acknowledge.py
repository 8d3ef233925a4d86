"""Acknowledging a topic ("read", "actioned") for one's organisation, and the box that offers it."""

from __future__ import annotations

from django.urls import reverse

from jisp.core.models import AuditEvent, Membership
from jisp.sharing.models import Acknowledgement, Topic
from jisp.sharing.testing import make_topic


def url(topic: Topic) -> str:
    return reverse("sharing:acknowledge", args=[topic.pk])


def important(cast, **kwargs) -> Topic:
    return make_topic(cast.analyst, category="important", requires_ack=True, **kwargs)


def test_it_records_read_then_actioned_for_the_members_organisation(cast, signed_in):
    topic = important(cast)
    client = signed_in(cast.member_b)
    response = client.post(url(topic), {"kind": "read"})
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:detail", args=[topic.pk]) + "#acknowledgement"
    ack = Acknowledgement.objects.get(topic=topic, organisation=cast.org_b)
    assert ack.read_by == cast.member_b and ack.read_at is not None and ack.actioned_at is None
    assert client.post(url(topic), {"kind": "actioned", "note": "遮断済み"}).status_code == 302
    ack.refresh_from_db()
    assert ack.actioned_by == cast.member_b and ack.note == "遮断済み"
    assert AuditEvent.objects.filter(action="sharing.topic.acknowledged").count() == 2


def test_it_answers_400_for_a_topic_that_needs_no_acknowledgement(cast, signed_in):
    topic = make_topic(cast.analyst)
    response = signed_in(cast.member_b).post(url(topic), {"kind": "read"})
    assert response.status_code == 400
    assert Acknowledgement.objects.count() == 0
    assert not AuditEvent.objects.filter(action="sharing.topic.acknowledged").exists()


def test_it_hides_a_topic_one_may_not_see(cast, signed_in):
    topic = important(cast, tlp="amber", audience="organisations", organisations=[cast.org_a])
    assert signed_in(cast.member_b).post(url(topic), {"kind": "read"}).status_code == 404
    assert not Acknowledgement.objects.filter(read_at__isnull=False).exists()


def test_it_refuses_an_organisation_that_is_not_addressed(cast, signed_in):
    topic = important(cast, tlp="amber", audience="organisations", organisations=[cast.org_a])
    response = signed_in(cast.analyst).post(url(topic), {"kind": "read"})  # the centre itself
    assert response.status_code == 400
    response = signed_in(cast.member_a).post(
        url(topic), {"kind": "read", "organisation": cast.org_b.pk}
    )
    assert response.status_code == 400
    assert not Acknowledgement.objects.filter(read_at__isnull=False).exists()


def test_it_refuses_an_unknown_kind(cast, signed_in):
    topic = important(cast)
    assert signed_in(cast.member_b).post(url(topic), {"kind": "ignored"}).status_code == 400


def test_it_asks_which_organisation_when_the_person_has_several(cast, signed_in):
    Membership.objects.create(user=cast.member_b, organisation=cast.org_a)
    topic = important(cast)
    client = signed_in(cast.member_b)
    assert client.post(url(topic), {"kind": "read"}).status_code == 400
    response = client.post(url(topic), {"kind": "read", "organisation": cast.org_a.pk})
    assert response.status_code == 302
    assert Acknowledgement.objects.get(topic=topic, organisation=cast.org_a).read_at is not None
    assert Acknowledgement.objects.get(topic=topic, organisation=cast.org_b).read_at is None


def test_it_shows_the_box_with_buttons_to_a_targeted_member(cast, signed_in):
    topic = important(cast)
    page = signed_in(cast.member_b).get(reverse("sharing:detail", args=[topic.pk]))
    html = page.content.decode()
    assert 'id="acknowledgement"' in html
    assert 'name="kind" value="read"' in html and 'name="kind" value="actioned"' in html
    assert reverse("sharing:ack_status", args=[topic.pk]) not in html


def test_it_shows_counts_and_a_link_to_the_centre(cast, signed_in):
    topic = important(cast)
    page = signed_in(cast.analyst).get(reverse("sharing:detail", args=[topic.pk]))
    html = page.content.decode()
    assert reverse("sharing:ack_status", args=[topic.pk]) in html
    assert 'name="kind"' not in html


def test_it_shows_no_box_when_no_acknowledgement_is_asked(cast, signed_in):
    topic = make_topic(cast.analyst)
    html = signed_in(cast.member_b).get(reverse("sharing:detail", args=[topic.pk])).content
    assert b'id="acknowledgement"' not in html
