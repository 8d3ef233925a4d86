"""The audit log: one call records, nothing can change or delete a record, sign-ins per day."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from jisp.core import audit
from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.core.tests.policyapp.models import Item


def test_it_records_the_actor_object_and_details(cast: Cast) -> None:
    item = Item.objects.create(title="x", tlp="amber", organisation=cast.org_a)
    event = audit.record("sharing.topic.published", actor=cast.member_a, obj=item, reason="test")
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_email == "alice@rail.example"
    assert (event.object_type, event.object_id, event.tlp) == (
        "policyapp.item",
        str(item.pk),
        "amber",
    )
    assert event.data == {"reason": "test"}
    assert event.via == AuditEvent.Via.SYSTEM


def test_the_model_refuses_to_change_or_delete_an_event(cast: Cast) -> None:
    event = audit.record("core.signout", actor=cast.member_a)
    event.action = "core.something.else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_the_database_refuses_to_change_or_delete_an_event(db: None) -> None:
    guard = importlib.import_module("jisp.core.migrations.0002_audit_append_only")
    guard.install_guard(connection)
    event = audit.record("core.signout", email="someone@example.jp")
    table = AuditEvent._meta.db_table
    for sql in (f"UPDATE {table} SET action = 'x'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEvent.objects.get(pk=event.pk).action == "core.signout"
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="x")


def test_it_counts_sign_ins_per_day_in_japan_time(cast: Cast) -> None:
    # 23:30 UTC on 23 July is 08:30 on 24 July in Tokyo.
    for moment, person in [
        (datetime(2021, 7, 23, 10, 0, tzinfo=UTC), cast.member_a),
        (datetime(2021, 7, 23, 23, 30, tzinfo=UTC), cast.member_a),
        (datetime(2021, 7, 24, 1, 0, tzinfo=UTC), cast.member_b),
        (datetime(2021, 7, 24, 2, 0, tzinfo=UTC), cast.member_a),
    ]:
        with time_machine.travel(moment, tick=False):
            audit.record(audit.SIGNIN_SUCCEEDED, actor=person)
    audit.record(audit.SIGNIN_FAILED, actor=cast.member_b)
    rows = [(str(r["day"]), r["signins"], r["people"]) for r in audit.daily_signins()]
    assert rows[:2] == [("2021-07-23", 1, 1), ("2021-07-24", 3, 2)]


def test_views_below_amber_are_not_recorded(cast: Cast, rf) -> None:  # type: ignore[no-untyped-def]
    request = rf.get("/")
    request.user = cast.member_b
    for tlp in ("clear", "green", "amber", "amber+strict", "red"):
        audit.record_view(request, Item.objects.create(title=tlp, tlp=tlp, organisation=cast.org_a))
    recorded = list(
        AuditEvent.objects.filter(action="policyapp.item.viewed").values_list("tlp", flat=True)
    )
    assert sorted(recorded) == ["amber", "amber+strict", "red"]


def test_every_known_action_has_readable_text() -> None:
    assert audit.describe(audit.SIGNIN_SUCCEEDED)
    assert audit.describe("unknown.action.name") == "unknown.action.name"
