"""notify(): the policy decides who is told about an item; preferences decide the channels."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.functional import lazy

from jisp.core import policy, tasks
from jisp.core.choices import TLP, Audience, Channel, DeliveryState
from jisp.core.models import Delivery, Notification, NotificationPreference, User, Webhook
from jisp.core.services import notifications
from jisp.core.services.notifications import notify, register_kind
from jisp.core.testing import Cast, make_person
from jisp.core.tests.policyapp.models import Item

#: A "translatable" text that shows the language it was rendered in.
active_language = lazy(lambda: f"language={translation.get_language()}", str)


def make_item(cast: Cast, **fields: Any) -> Item:
    people = fields.pop("people", [])
    organisations = fields.pop("organisations", [])
    sectors = fields.pop("sectors", [])
    fields.setdefault("organisation", cast.org_a)
    fields.setdefault("created_by", cast.member_a)
    item = Item.objects.create(title="Phishing wave", **fields)
    item.audience_people.set(people)
    item.audience_organisations.set(organisations)
    item.audience_sectors.set(sectors)
    return item


def told(result: list[Notification]) -> set[str]:
    return {n.recipient.email for n in result}


def test_it_tells_each_recipient_once_on_the_default_channels(cast: Cast) -> None:
    result = notify(
        [cast.member_a, cast.member_b, cast.member_a], "core.message", title="Hello", body="Text"
    )
    assert told(result) == {cast.member_a.email, cast.member_b.email}
    assert Notification.objects.count() == 2
    deliveries = Delivery.objects.all()
    assert {d.channel for d in deliveries} == {Channel.EMAIL}
    assert {d.target for d in deliveries} == {cast.member_a.email, cast.member_b.email}
    assert all(d.state == DeliveryState.PENDING for d in deliveries)


@pytest.mark.parametrize(
    "sharing",
    [
        {"tlp": TLP.GREEN, "audience": Audience.EVERYONE},
        {"tlp": TLP.AMBER, "audience": Audience.CENTRE},
        {"tlp": TLP.AMBER, "audience": Audience.SECTORS, "sectors": "railways"},
        {"tlp": TLP.AMBER_STRICT, "audience": Audience.ORGANISATIONS, "organisations": "agency"},
        {"tlp": TLP.RED, "audience": Audience.PEOPLE, "people": "member_b"},
    ],
)
def test_it_tells_exactly_the_people_the_policy_lets_see_the_item(
    cast: Cast, sharing: dict[str, Any]
) -> None:
    fields = dict(sharing)
    if "sectors" in fields:
        fields["sectors"] = [cast.org_a.sector]
    if "organisations" in fields:
        fields["organisations"] = [getattr(cast, fields["organisations"])]
    if "people" in fields:
        fields["people"] = [getattr(cast, fields["people"])]
    item = make_item(cast, **fields)
    everyone = list(cast.everyone.values())

    result = notify(everyone, "core.message", title="New item", item=item)

    allowed = {u.email for u in everyone if policy.can_view(u, item)}
    assert 1 < len(allowed) < len(everyone)
    assert told(result) == allowed
    assert cast.outsider.email not in told(result)
    # The same answer when the recipients come as a queryset.
    Notification.objects.all().delete()
    again = notify(User.objects.all(), "core.message", title="New item", item=item)
    assert told(again) == allowed


def test_it_does_not_tell_another_organisation_about_an_amber_item(cast: Cast) -> None:
    item = make_item(cast, tlp=TLP.AMBER, audience=Audience.ORGANISATIONS, organisations=[])
    result = notify([cast.member_b, cast.member_a2], "core.message", title="x", item=item)
    assert told(result) == {cast.member_a2.email}
    assert not Delivery.objects.filter(target=cast.member_b.email).exists()


def test_it_never_tells_an_inactive_person(cast: Cast) -> None:
    cast.member_a2.is_active = False
    cast.member_a2.save()
    assert notify([cast.member_a2], "core.message", title="x") == []
    assert notify(User.objects.filter(pk=cast.member_a2.pk), "core.message", title="x") == []


def test_it_renders_the_texts_in_each_recipients_language(cast: Cast) -> None:
    with translation.override("ja"):
        result = notify(
            [cast.member_a, cast.member_b],
            "core.message",
            title=active_language(),
            body=active_language(),
        )
    by_email = {n.recipient.email: n for n in result}
    assert by_email[cast.member_a.email].title == "language=ja"
    assert by_email[cast.member_b.email].title == "language=en"
    assert by_email[cast.member_b.email].body == "language=en"


def test_it_follows_the_persons_preferences(cast: Cast) -> None:
    NotificationPreference.objects.create(
        user=cast.member_a, kind="core.message", in_app=False, email=True, webhook=True
    )
    NotificationPreference.objects.create(
        user=cast.member_a2, kind="core.message", in_app=False, email=False, webhook=False
    )
    NotificationPreference.objects.create(
        user=cast.member_b, kind="core.message", in_app=True, email=False, webhook=False
    )
    hook1 = Webhook.objects.create(user=cast.member_a, name="SOC", url="https://soc.example/")
    hook2 = Webhook.objects.create(user=cast.member_a, name="Chat", url="https://chat.example/")
    Webhook.objects.create(
        user=cast.member_a, name="Old", url="https://old.example/", is_active=False
    )
    Webhook.objects.create(user=cast.member_b, name="B", url="https://b.example/")

    result = notify([cast.member_a, cast.member_a2, cast.member_b], "core.message", title="x")

    assert told(result) == {cast.member_a.email, cast.member_b.email}  # a2 chose no channel
    mine = next(n for n in result if n.recipient_id == cast.member_a.pk)
    assert mine.read_at is not None  # in-app off: kept, but not shown as unread
    assert {(d.channel, d.webhook_id) for d in mine.deliveries.all()} == {
        (Channel.EMAIL, None),
        (Channel.WEBHOOK, hook1.pk),
        (Channel.WEBHOOK, hook2.pk),
    }
    theirs = next(n for n in result if n.recipient_id == cast.member_b.pk)
    assert theirs.read_at is None
    assert not theirs.deliveries.exists()  # e-mail off, webhook not chosen


def test_it_keeps_mandatory_channels_of_security_notifications(cast: Cast) -> None:
    NotificationPreference.objects.create(
        user=cast.member_a, kind="core.security", in_app=False, email=False, webhook=False
    )
    [notification] = notify([cast.member_a], "core.security", title="Password changed")
    assert notification.read_at is None
    assert notification.deliveries.get().channel == Channel.EMAIL


def test_a_notification_never_lists_other_recipients(cast: Cast) -> None:
    item = make_item(cast, tlp=TLP.GREEN, audience=Audience.EVERYONE)
    result = notify(
        [cast.member_a, cast.member_b], "core.message", title="x", data={"n": 1}, item=item
    )
    for notification in result:
        assert notification.data == {"n": 1, "item": {"type": "policyapp.item", "id": item.pk}}
        payload = json.dumps(tasks.webhook_payload(notification))
        others = {cast.member_a.email, cast.member_b.email} - {notification.recipient.email}
        for other in others:
            assert other not in payload


def test_it_refuses_an_unknown_kind_and_an_outside_link(cast: Cast) -> None:
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify([cast.member_a], "nobody.registered.this", title="x")
    for url in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        with pytest.raises(ValueError, match="path on this site"):
            notify([cast.member_a], "core.message", title="x", url=url)
    assert not Notification.objects.exists()


def test_it_enqueues_the_deliveries_after_the_commit(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify([cast.member_a, cast.member_b], "core.message", title="After commit")
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()  # the commit: huey runs the jobs immediately in tests
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.member_a.email, cast.member_b.email]
    )
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_it_uses_a_constant_number_of_queries_for_many_recipients(cast: Cast) -> None:
    people = [make_person(f"p{i}@many.example", cast.org_a) for i in range(60)]
    for person in people[::3]:
        NotificationPreference.objects.create(user=person, kind="core.message", webhook=True)
        Webhook.objects.create(user=person, name="h", url="https://h.example/")
    item = make_item(cast, tlp=TLP.AMBER, audience=Audience.ORGANISATIONS)

    def count(recipients: list[User]) -> int:
        fresh = type(item).objects.get(pk=item.pk)  # the policy reads its audience once per item
        with CaptureQueriesContext(connection) as queries:
            notify(recipients, "core.message", title="x", item=fresh)
        return len(queries)

    few, many = count(people[:6]), count(people)
    assert many == few
    assert many <= 12
    assert Notification.objects.count() == 66


def test_other_apps_register_their_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(notifications, "_KINDS", dict(notifications._KINDS))
    kind = register_kind("sharing.topic.important", "Important topics", [Channel.IN_APP])
    assert notifications.get_kind("sharing.topic.important") is kind
    assert kind in notifications.kinds()
    with pytest.raises(ValueError, match="unknown channels"):
        register_kind("x.y", "X", ["pigeon"])


def test_the_core_kinds_are_registered_with_translated_labels() -> None:
    keys = {k.key for k in notifications.kinds()}
    assert {"core.invitation", "core.security", "core.message"} <= keys
    security = notifications.get_kind("core.security")
    assert security.mandatory == {Channel.IN_APP, Channel.EMAIL}
    with translation.override("en"):
        assert str(security.label) == "Security of your account"
