"""The scheduled situation-report drafts (Huey periodic tasks, crontabs in UTC)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from jisp.core.models import Notification
from jisp.core.testing import Cast
from jisp.incidents import notifications, tasks
from jisp.incidents.models import SituationReport
from jisp.incidents.services import sitreps
from jisp.incidents.testing import make_case
from jisp.incidents.tests.test_sitrep_services import jst

DAY = date(2021, 7, 24)
UTC = ZoneInfo("UTC")


def test_huey_reads_crontabs_in_utc() -> None:
    assert settings.HUEY.get("utc", True) is True


@pytest.mark.parametrize(
    ("task", "jst_hour"),
    [(tasks.draft_am_sitrep, 9), (tasks.draft_pm_sitrep, 17), (tasks.draft_bulletin, 18)],
)
def test_each_job_runs_at_its_hour_in_japan(task: object, jst_hour: int) -> None:
    at = jst(DAY, jst_hour).astimezone(UTC).replace(tzinfo=None)
    assert task.task_class().validate_datetime(at)  # type: ignore[attr-defined]
    other = jst(DAY, (jst_hour + 1) % 24).astimezone(UTC).replace(tzinfo=None)
    assert not task.task_class().validate_datetime(other)  # type: ignore[attr-defined]


def test_the_morning_job_drafts_the_am_report_and_asks_the_approvers(cast: Cast) -> None:
    make_case(cast.member_a, "券売機システム障害", at=jst(DAY, 2))
    with time_machine.travel(jst(DAY, 9, 0), tick=False):
        tasks.draft_am_sitrep.call_local()
    sitrep = SituationReport.objects.get()
    assert (sitrep.kind, sitrep.slot, sitrep.drafted_by) == ("situation", "am", None)
    assert sitrep.period_end == jst(DAY, 9)
    assert "券売機システム障害" in sitrep.body
    assert Notification.objects.filter(
        kind=notifications.SITREP_APPROVAL, recipient=cast.commander
    ).exists()


def test_the_afternoon_job_drafts_the_pm_report(cast: Cast) -> None:
    with time_machine.travel(jst(DAY, 17, 0), tick=False):
        tasks.draft_pm_sitrep.call_local()
    sitrep = SituationReport.objects.get()
    assert (sitrep.slot, sitrep.period_start, sitrep.period_end) == ("pm", jst(DAY, 9),
                                                                     jst(DAY, 17))  # fmt: skip


def test_the_evening_job_drafts_the_bulletin_of_the_day(cast: Cast) -> None:
    with time_machine.travel(jst(DAY, 18, 0), tick=False):
        tasks.draft_bulletin.call_local()
    sitrep = SituationReport.objects.get()
    assert (sitrep.kind, sitrep.period_start) == ("bulletin", jst(DAY, 0))


def test_a_job_leaves_an_existing_report_alone(cast: Cast) -> None:
    mine = sitreps.draft_sitrep(cast.analyst, "situation", DAY, "am")
    sitreps.approve_sitrep(cast.commander, mine)
    with time_machine.travel(jst(DAY, 9, 0), tick=False):
        tasks.draft_am_sitrep.call_local()
    assert SituationReport.objects.get() == mine
    assert sitreps.draft_scheduled("situation", "am", jst(DAY, 9, 5)) is None


def test_the_job_takes_the_day_in_japan_not_in_utc(cast: Cast) -> None:
    # 00:30 UTC on the 24th is 09:30 JST on the 24th; 23:30 UTC on the 23rd is the 24th in Japan.
    sitrep = sitreps.draft_scheduled("situation", "am", datetime(2021, 7, 23, 23, 30, tzinfo=UTC))
    assert sitrep is not None
    assert sitrep.period_end == jst(DAY, 9)


def test_the_mail_job_tries_the_failed_addresses_again_later(cast: Cast, monkeypatch: Any) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(sitreps, "send_sitrep_mail", lambda pk, addresses: addresses[:1])
    monkeypatch.setattr(
        tasks.send_sitrep_mail, "schedule", lambda args, delay: calls.append((args, delay))
    )
    tasks.send_sitrep_mail.call_local(7, ["down@gov.example", "up@gov.example"])
    assert calls == [((7, ["down@gov.example"], 2), tasks.MAIL_RETRY_DELAY)]
    calls.clear()
    tasks.send_sitrep_mail.call_local(7, ["down@gov.example"], tasks.MAIL_ATTEMPTS)
    assert calls == []
