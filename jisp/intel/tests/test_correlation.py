"""Correlation: mentions indexed from topics, reports and cases; ``related`` per person."""

from __future__ import annotations

from typing import Any

import pytest

import jisp.intel.receivers  # noqa: F401  (connects the receivers, as IntelConfig.ready does)
from jisp.core.choices import TLP, Audience
from jisp.core.testing import Cast
from jisp.incidents.models import ReportRecipient
from jisp.incidents.testing import make_report
from jisp.intel.models import Mention
from jisp.intel.services import correlation
from jisp.intel.services.sightings import SightingInput, report_sighting
from jisp.intel.testing import make_indicator
from jisp.sharing.testing import make_topic

VALUE = ("domain", "olympic-live.com")


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Any:
    def go(work: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return work()

    return go


def mentions(source: str, pk: int) -> set[tuple[str, str]]:
    return set(Mention.objects.filter(source=source, object_id=pk).values_list("kind", "value"))


def test_index_text_replaces_the_mentions_of_one_item(db: Any) -> None:
    assert correlation.index_text("topic", 7, "hxxp://olympic-live[.]com/ and 203.0.113.9") == 2
    assert mentions("topic", 7) == {("url", "http://olympic-live.com/"), ("ipv4", "203.0.113.9")}
    correlation.index_text("topic", 7, "203.0.113.9 and olympic-live.com")
    assert mentions("topic", 7) == {("ipv4", "203.0.113.9"), VALUE}
    correlation.index_text("topic", 7, "")
    assert mentions("topic", 7) == set()


def test_topics_reports_and_cases_are_indexed_when_saved(cast: Cast, run: Any) -> None:
    topic = run(lambda: make_topic(cast.analyst, "偽配信", body="olympic-live.com に注意"))
    report = run(lambda: make_report(cast.member_a, indicators="olympic-live.com"))
    assert VALUE in mentions("topic", topic.pk)
    assert VALUE in mentions("report", report.pk)
    case = report.case
    case.impact_note = "203.0.113.9 からの通信"
    run(lambda: case.save())
    assert ("ipv4", "203.0.113.9") in mentions("case", case.pk)
    topic.body = "削除しました"
    run(lambda: topic.save())
    assert VALUE not in mentions("topic", topic.pk)
    run(lambda: topic.delete())
    assert mentions("topic", topic.pk) == set()


def test_nothing_is_indexed_when_the_transaction_is_rolled_back(cast: Cast) -> None:
    make_topic(cast.analyst, "偽配信", body="olympic-live.com に注意")  # never committed
    assert not Mention.objects.exists()


@pytest.fixture
def world(cast: Cast, run: Any) -> dict[str, Any]:
    everyone = make_indicator(cast.centre, *VALUE, cast.analyst)
    secret = make_indicator(cast.org_a, *VALUE, cast.member_a, tlp=TLP.AMBER,
                            audience=Audience.CENTRE)  # fmt: skip
    public = run(lambda: make_topic(cast.analyst, "公開", body="olympic-live.com"))
    org_a_only = run(lambda: make_topic(cast.analyst, "限定", body="olympic-live.com",
                                        tlp=TLP.AMBER, audience=Audience.ORGANISATIONS,
                                        organisations=[cast.org_a]))  # fmt: skip
    draft = run(lambda: make_topic(cast.member_b, "下書き", body="olympic-live.com",
                                   publish=False))  # fmt: skip
    report = run(lambda: make_report(cast.member_b, "報告", indicators="olympic-live.com"))
    ReportRecipient.objects.create(report=report, organisation=cast.org_a, grant="redacted")
    ReportRecipient.objects.create(report=report, organisation=cast.agency, grant="full")
    case = report.case
    case.impact_note = "olympic-live.com への誘導"
    run(lambda: case.save())
    report_sighting(None, cast.member_a, everyone, SightingInput(count=4))
    report_sighting(None, cast.member_b, everyone, SightingInput(count=1))
    return {
        "everyone": everyone, "secret": secret, "public": public, "org_a_only": org_a_only,
        "draft": draft, "report": report, "case": case,
    }  # fmt: skip


def test_related_shows_each_person_only_what_they_may_see(
    cast: Cast, world: dict[str, Any]
) -> None:
    def names(person: Any) -> dict[str, Any]:
        found = correlation.related(person, *VALUE)
        by_pk = {(type(v), v.pk): k for k, v in world.items()}

        def named(rows: list[Any]) -> set[str]:
            return {by_pk[(type(row), row.pk)] for row in rows}

        return {
            "indicators": named(found.indicators),
            "topics": named(found.topics),
            "reports": named(found.reports),
            "cases": named(found.cases),
            "sightings": found.sightings_count,
        }

    assert names(cast.analyst) == {
        "indicators": {"everyone", "secret"}, "topics": {"public", "org_a_only"},
        "reports": {"report"}, "cases": {"case"}, "sightings": 2,
    }  # fmt: skip
    # org_a: its own indicator, its topic; the report only redacted (not listed); its sighting.
    assert names(cast.member_a) == {
        "indicators": {"everyone", "secret"}, "topics": {"public", "org_a_only"},
        "reports": set(), "cases": set(), "sightings": 1,
    }  # fmt: skip
    # org_b: its own draft and report, but not the centre's case notes.
    assert names(cast.member_b) == {
        "indicators": {"everyone"}, "topics": {"public", "draft"}, "reports": {"report"},
        "cases": set(), "sightings": 1,
    }  # fmt: skip
    # The agency got the report in full.
    assert names(cast.responder)["reports"] == {"report"}
    assert names(cast.vendor_analyst) == {
        "indicators": {"everyone"}, "topics": {"public"}, "reports": set(), "cases": set(),
        "sightings": 0,
    }  # fmt: skip
    assert correlation.related(cast.outsider, *VALUE).empty
