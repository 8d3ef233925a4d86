"""POST /api/v1/topics/{id}/acknowledge: a targeted organisation confirms read and actioned."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from jisp.core.models import Membership, User
from jisp.core.testing import Cast
from jisp.sharing.models import Acknowledgement, Topic
from jisp.sharing.testing import make_topic
from jisp.sharing.tests.test_api_topics import bearer

LIST = "/api/v1/topics"


@pytest.fixture
def topic(cast: Cast) -> Topic:
    return make_topic(
        cast.analyst,
        "Please confirm",
        category="important",
        tlp="amber",
        audience="organisations",
        organisations=[cast.org_a],
        requires_ack=True,
    )


def ack(client: Client, user: User, pk: int, body: dict[str, Any], scope: str = "write") -> Any:
    return client.post(
        f"{LIST}/{pk}/acknowledge",
        body,
        content_type="application/json",
        headers=bearer(user, scope),
    )


def test_an_organisation_confirms_read_then_actioned(
    client: Client, cast: Cast, topic: Topic
) -> None:
    response = ack(client, cast.member_a, topic.pk, {"organisation": cast.org_a.pk})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["organisation"]["id"] == cast.org_a.pk
    assert body["read_at"] is not None
    assert body["actioned_at"] is None
    response = ack(client, cast.member_a2, topic.pk, {"actioned": True})  # its only organisation
    assert response.json()["actioned_at"] is not None
    detail = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.member_a)).json()
    [state] = detail["acknowledgements"]
    assert state["read_at"] is not None
    assert state["actioned_at"] is not None
    assert detail["needs_ack"] is False


def test_the_detail_shows_the_pending_state(client: Client, cast: Cast, topic: Topic) -> None:
    detail = client.get(f"{LIST}/{topic.pk}", headers=bearer(cast.member_a)).json()
    assert detail["requires_ack"] is True
    assert detail["needs_ack"] is True
    assert detail["acknowledgements"] == [
        {
            "organisation": {"id": cast.org_a.pk, "name": cast.org_a.name},
            "read_at": None,
            "actioned_at": None,
            "note": "",
        }
    ]


def test_it_refuses_to_acknowledge_for_another_organisation(
    client: Client, cast: Cast, topic: Topic
) -> None:
    for org_id in (cast.org_b.pk, 999999):
        response = ack(client, cast.member_a, topic.pk, {"organisation": org_id})
        assert response.status_code == 403
    assert not Acknowledgement.objects.filter(read_at__isnull=False).exists()


def test_a_topic_that_asks_for_none_answers_422(client: Client, cast: Cast) -> None:
    plain = make_topic(cast.analyst, "No ack needed")
    response = ack(client, cast.member_a, plain.pk, {})
    assert response.status_code == 422
    assert "確認報告" in str(response.json()["detail"])  # member_a reads Japanese


def test_a_hidden_topic_answers_404_and_a_read_token_403(
    client: Client, cast: Cast, topic: Topic
) -> None:
    assert ack(client, cast.member_b, topic.pk, {}).status_code == 404
    assert ack(client, cast.member_a, topic.pk, {}, scope="read").status_code == 403
    assert not Acknowledgement.objects.filter(read_at__isnull=False).exists()


def test_a_person_of_several_organisations_must_say_which(client: Client, cast: Cast) -> None:
    topic = make_topic(
        cast.analyst,
        "Both",
        category="important",
        tlp="amber",
        audience="organisations",
        organisations=[cast.org_a, cast.org_b],
        requires_ack=True,
    )
    Membership.objects.create(user=cast.member_a, organisation=cast.org_b, role="member")
    response = ack(client, cast.member_a, topic.pk, {})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "organisation"]
    assert ack(client, cast.member_a, topic.pk, {"organisation": cast.org_b.pk}).status_code == 200


def test_bad_bodies_answer_422(client: Client, cast: Cast, topic: Topic) -> None:
    for body in ({"organisation": "x"}, {"actioned": "maybe"}, {"note": "x" * 501}):
        assert ack(client, cast.member_a, topic.pk, body).status_code == 422, body
    assert not Acknowledgement.objects.filter(read_at__isnull=False).exists()
