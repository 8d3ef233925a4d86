"""Notification settings: one row per registered kind, three channels, saved and audited."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.html import escape

from jisp.core.models import AuditEvent, NotificationPreference
from jisp.core.services import notifications
from jisp.core.testing import Cast

URL = "core:notification_preferences"


def post_data(checked: dict[str, list[str]]) -> dict[str, str]:
    """The form as posted: the given kinds as given, every other kind at its defaults."""
    chosen = {kind.key: sorted(kind.default_channels) for kind in notifications.kinds()}
    chosen.update(checked)
    return {f"{kind}__{channel}": "on" for kind, channels in chosen.items() for channel in channels}


def test_it_asks_to_sign_in(client: Any) -> None:
    assert client.get(reverse(URL)).status_code == 302


def test_it_shows_every_registered_kind_with_the_default_channels(
    cast: Cast, signed_in: Any
) -> None:
    response = signed_in(cast.member_b).get(reverse(URL))  # Bob reads English
    assert response.status_code == 200
    html = response.content.decode()
    for kind in notifications.kinds():
        assert escape(str(kind.label)) in html
    form = response.context["form"]
    assert form["core.message__in_app"].value() is True
    assert form["core.message__email"].value() is True
    assert form["core.message__webhook"].value() is False
    assert form.fields["core.security__email"].disabled


def test_it_saves_the_chosen_channels_and_records_the_change(cast: Cast, signed_in: Any) -> None:
    data = post_data(
        {
            "core.message": ["in_app", "webhook"],
            "core.invitation": ["in_app", "email"],  # the defaults: no row needed
            "core.security": ["in_app", "email"],
        }
    )
    response = signed_in(cast.member_a).post(reverse(URL), data)
    assert response.status_code == 302
    row = NotificationPreference.objects.get(user=cast.member_a, kind="core.message")
    assert (row.in_app, row.email, row.webhook) == (True, False, True)
    assert not NotificationPreference.objects.filter(kind="core.invitation").exists()
    event = AuditEvent.objects.get(action="core.preferences.changed")
    assert event.actor == cast.member_a
    assert event.data["kinds"] == ["core.message"]


def test_it_changes_nothing_and_records_nothing_when_nothing_changed(
    cast: Cast, signed_in: Any
) -> None:
    data = post_data({k.key: sorted(k.default_channels) for k in notifications.kinds()})
    signed_in(cast.member_a).post(reverse(URL), data)
    assert not NotificationPreference.objects.exists()
    assert not AuditEvent.objects.filter(action="core.preferences.changed").exists()


def test_it_keeps_mandatory_channels_on_whatever_is_sent(cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a).post(reverse(URL), {})  # every box unticked
    security = notifications.get_kind("core.security")
    channels = notifications.channels_for(
        security,
        NotificationPreference.objects.filter(user=cast.member_a, kind="core.security").first(),
    )
    assert {"in_app", "email"} <= channels
    message = NotificationPreference.objects.get(user=cast.member_a, kind="core.message")
    assert (message.in_app, message.email, message.webhook) == (False, False, False)


def test_it_saves_for_oneself_only(cast: Cast, signed_in: Any) -> None:
    signed_in(cast.member_a).post(reverse(URL), post_data({"core.message": ["in_app"]}))
    assert set(NotificationPreference.objects.values_list("user_id", flat=True)) == {
        cast.member_a.pk
    }
    response = signed_in(cast.member_b).get(reverse(URL))
    assert response.context["form"]["core.message__email"].value() is True


def test_it_offers_kinds_that_other_apps_register(
    cast: Cast, signed_in: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(notifications, "_KINDS", dict(notifications._KINDS))
    notifications.register_kind("sharing.topic.important", "Important topics", ["in_app"])
    response = signed_in(cast.member_b).get(reverse(URL))
    assert "Important topics" in response.content.decode()
    signed_in(cast.member_b).post(
        reverse(URL), post_data({"sharing.topic.important": ["in_app", "email"]})
    )
    row = NotificationPreference.objects.get(kind="sharing.topic.important")
    assert (row.in_app, row.email, row.webhook) == (True, True, False)
