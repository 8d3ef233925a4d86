"""Sign-ins per day (Tokyo days) for auditors, with a chart drawn without inline styles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse

from jisp.core import audit
from jisp.core.models import AuditEvent

URL = reverse("core:audit_signins")


def signin(at: datetime, actor) -> None:
    AuditEvent.objects.create(at=at, action=audit.SIGNIN_SUCCEEDED, actor=actor)


def by_day(response) -> dict[date, tuple[int, int]]:
    return {d["day"]: (d["signins"], d["people"]) for d in response.context["days"]}


@pytest.mark.parametrize("who", ["member_a", "admin_a", "analyst", "outsider"])
def test_it_hides_from_all_but_auditors_with_404(cast, signed_in, who):
    assert signed_in(getattr(cast, who)).get(URL).status_code == 404


def test_it_counts_signins_and_people_per_tokyo_day(cast, signed_in):
    signin(datetime(2024, 5, 1, 23, 30, tzinfo=UTC), cast.member_a)  # 2 May, 08:30 in Tokyo
    signin(datetime(2024, 5, 2, 1, 0, tzinfo=UTC), cast.member_a)  # 2 May
    signin(datetime(2024, 5, 2, 2, 0, tzinfo=UTC), cast.member_b)  # 2 May
    signin(datetime(2024, 5, 1, 14, 59, tzinfo=UTC), cast.member_b)  # 1 May, 23:59 in Tokyo
    AuditEvent.objects.create(
        at=datetime(2024, 5, 2, 3, 0, tzinfo=UTC), action=audit.SIGNIN_FAILED, actor=cast.member_b
    )
    response = signed_in(cast.auditor).get(
        URL, {"date_from": "2024-04-30", "date_to": "2024-05-03"}
    )
    assert response.status_code == 200
    assert by_day(response) == {
        date(2024, 4, 30): (0, 0),
        date(2024, 5, 1): (1, 1),
        date(2024, 5, 2): (3, 2),
        date(2024, 5, 3): (0, 0),
    }
    assert response.context["total"] == 4
    assert response.context["people_in_period"] == 2


def test_it_shows_the_last_thirty_days_by_default(cast, signed_in):
    with time_machine.travel(datetime(2024, 5, 31, 16, 0, tzinfo=UTC), tick=False):  # 1 June
        signin(datetime(2024, 5, 2, 15, 30, tzinfo=UTC), cast.member_a)  # 3 May: day one
        signin(datetime(2024, 5, 2, 14, 30, tzinfo=UTC), cast.member_a)  # 2 May: outside
        response = signed_in(cast.auditor).get(URL)
    days = response.context["days"]
    assert len(days) == 30
    assert days[0]["day"] == date(2024, 5, 3) and days[-1]["day"] == date(2024, 6, 1)
    assert response.context["total"] == 1


def test_it_draws_the_chart_without_inline_styles(cast, signed_in):
    signin(datetime(2024, 5, 2, 1, 0, tzinfo=UTC), cast.member_a)
    signin(datetime(2024, 5, 2, 2, 0, tzinfo=UTC), cast.member_b)
    signin(datetime(2024, 5, 3, 2, 0, tzinfo=UTC), cast.member_b)
    response = signed_in(cast.auditor).get(
        URL, {"date_from": "2024-05-02", "date_to": "2024-05-03"}
    )
    text = response.content.decode()
    assert "<svg" in text
    assert "style=" not in text
    assert 'height="100"' in text and 'height="50"' in text  # the busiest day fills the chart


def test_it_rejects_a_bad_or_too_long_period_with_400(cast, signed_in):
    client = signed_in(cast.auditor)
    assert client.get(URL, {"date_from": "2024-05-03", "date_to": "2024-05-01"}).status_code == 400
    assert client.get(URL, {"date_from": "2020-01-01", "date_to": "2024-05-01"}).status_code == 400
    response = client.get(URL, {"date_from": "soon"})
    assert response.status_code == 400
    assert len(response.context["days"]) == 30
