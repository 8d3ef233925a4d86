"""Issuing situation reports: e-mail with the PDF to the recipients, the bulletin to members."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core import mail
from django.core.mail import EmailMultiAlternatives

from jisp.core.models import Notification
from jisp.core.testing import Cast
from jisp.incidents import notifications
from jisp.incidents.models import SitrepRecipient, SituationReport
from jisp.incidents.services import sitreps
from jisp.incidents.testing import make_case
from jisp.incidents.tests.test_sitrep_services import jst

DAY = date(2021, 7, 24)


def approved(cast: Cast, kind: str = "situation", slot: str = "am") -> SituationReport:
    sitrep = sitreps.draft_sitrep(cast.analyst, kind, DAY, slot)
    return sitreps.approve_sitrep(cast.commander, sitrep)


def test_it_mails_the_report_with_its_pdf_to_the_recipients_of_its_kind(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    make_case(cast.member_a, "券売機システム障害", at=jst(DAY, 2))
    SitrepRecipient.objects.create(kind="situation", name="調整センター", email="scc@gov.example")
    SitrepRecipient.objects.create(kind="situation", name="予備", email="b@gov.example")
    SitrepRecipient.objects.create(
        kind="situation", name="停止中", email="off@gov.example", is_active=False
    )
    SitrepRecipient.objects.create(kind="organiser", name="組織委員会", email="org@tokyo.example")
    sitrep = approved(cast)
    with django_capture_on_commit_callbacks(execute=True):
        sitreps.issue_sitrep(cast.commander, sitrep)
    sitrep.refresh_from_db()
    assert sitrep.recipients == ["b@gov.example", "scc@gov.example"]
    assert sorted(m.to[0] for m in mail.outbox) == ["b@gov.example", "scc@gov.example"]
    message = mail.outbox[0]
    assert len(message.to) == 1  # no recipient sees the others
    assert "TLP:AMBER" in message.subject
    assert "券売機システム障害" in message.body
    filename, content, kind = message.attachments[0]
    assert kind == "application/pdf"
    assert filename == "sitrep-situation-2021-07-24-am.pdf"
    assert content.startswith(b"%PDF")
    assert isinstance(message, EmailMultiAlternatives)
    html, html_kind = message.alternatives[0]
    assert html_kind == "text/html" and "券売機システム障害" in str(html)
    assert message.extra_headers["Content-Language"] == "ja"


def test_it_sends_nothing_before_the_transaction_commits(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    SitrepRecipient.objects.create(kind="situation", name="調整センター", email="scc@gov.example")
    sitrep = approved(cast)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sitreps.issue_sitrep(cast.commander, sitrep)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_the_organiser_summary_goes_to_the_organisers_addresses(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    SitrepRecipient.objects.create(kind="situation", name="調整センター", email="scc@gov.example")
    SitrepRecipient.objects.create(kind="organiser", name="組織委員会", email="org@tokyo.example")
    sitrep = approved(cast, "organiser", "day")
    with django_capture_on_commit_callbacks(execute=True):
        sitreps.issue_sitrep(cast.commander, sitrep)
    assert [m.to for m in mail.outbox] == [["org@tokyo.example"]]


def test_the_bulletin_reaches_every_member_as_a_notification(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    make_case(cast.member_a, "券売機システム障害", at=jst(DAY, 2))
    SitrepRecipient.objects.create(kind="situation", name="調整センター", email="scc@gov.example")
    sitrep = approved(cast, "bulletin", "day")
    with django_capture_on_commit_callbacks(execute=True):
        sitreps.issue_sitrep(cast.commander, sitrep)
    told = set(
        Notification.objects.filter(kind=notifications.BULLETIN).values_list(
            "recipient_id", flat=True
        )
    )
    members = {u.pk for name, u in cast.everyone.items() if name != "outsider"}
    assert told == members
    assert cast.outsider.pk not in told
    row = Notification.objects.filter(kind=notifications.BULLETIN).first()
    assert row is not None and "券売機システム障害" not in row.body
    assert all("scc@gov.example" not in m.to for m in mail.outbox)
    sitrep.refresh_from_db()
    assert sitrep.recipients == []


def test_it_tries_a_failed_address_again(cast: Cast, monkeypatch: Any) -> None:
    sitrep = approved(cast)
    sitrep.state = "issued"
    sitrep.save()
    real_send = EmailMultiAlternatives.send

    def flaky(self: Any, fail_silently: bool = False) -> int:
        if self.to == ["down@gov.example"]:
            raise OSError("connection refused")
        return real_send(self, fail_silently)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    failed = sitreps.send_sitrep_mail(sitrep.pk, ["down@gov.example", "up@gov.example"])
    assert failed == ["down@gov.example"]
    assert [m.to for m in mail.outbox] == [["up@gov.example"]]


def test_it_sends_nothing_for_a_report_not_issued(cast: Cast) -> None:
    sitrep = approved(cast)
    assert sitreps.send_sitrep_mail(sitrep.pk, ["scc@gov.example"]) == []
    assert mail.outbox == []
    assert sitreps.send_bulletin(sitrep.pk) == 0
