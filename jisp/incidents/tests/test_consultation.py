"""The consultation desk: the centre publishes a consultation's answer as a topic for everyone,
without the asker; the publish page across roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jisp.core.models import AuditEvent
from jisp.core.testing import Cast
from jisp.incidents.choices import EntryKind
from jisp.incidents.models import Case, TimelineEntry
from jisp.incidents.services import consultation
from jisp.incidents.testing import make_case
from jisp.sharing.models import Topic
from jisp.sharing.services.topics import readable_topics


@pytest.fixture
def case(cast: Cast) -> Case:
    return make_case(
        cast.member_a,
        "東日本旅客鉄道テストからの相談: 不審メール",
        kind="consultation",
        category="phishing",
        description=(
            "鈴木 愛です。東日本旅客鉄道テストの社員宛てに大会を装うメールが届きました。"
            "連絡先 alice@rail.example"
        ),
    )


def publish(cast: Cast, case: Case, **fields: Any) -> Topic:
    values: dict[str, Any] = {
        "title": "大会を装う不審メールへの対応",
        "summary": "添付ファイルを開かず、送信元を確認してください。",
        "body": "## 対応\n- 添付を開かない",
    }
    values.update(fields)
    return consultation.publish_answer(cast.analyst, case, **values)


def test_it_publishes_the_answer_for_everyone_from_the_centre(cast: Cast, case: Case) -> None:
    topic = publish(cast, case)
    assert topic.status == "published"
    assert topic.category == "advisory_answer"
    assert topic.audience == "everyone"
    assert topic.tlp == "clear"
    assert topic.organisation == cast.centre
    assert list(case.topics.all()) == [topic]
    for who in ("member_a", "member_b", "responder", "vendor_analyst", "auditor"):
        assert readable_topics(getattr(cast, who)).filter(pk=topic.pk).exists(), who
    entry = TimelineEntry.objects.get(case=case, kind=EntryKind.TOPIC)
    assert entry.audience == "reporter"
    assert entry.data == {"topic": topic.pk}
    assert AuditEvent.objects.filter(action="incidents.consultation.published").count() == 1


def test_the_topic_contains_no_asker_identity(cast: Cast, case: Case) -> None:
    draft = consultation.draft_answer(case)
    topic = publish(cast, case, title=draft.title, summary="不審メールの見分け方", body=draft.body)
    text = " ".join([topic.title, topic.summary, topic.body, topic.body_html])
    for name in (cast.org_a.name, cast.org_a.name_en, "鈴木", "鈴木 愛", cast.member_a.email):
        assert name not in text
    assert topic.organisation_id != cast.org_a.pk
    assert topic.created_by == cast.analyst


def test_the_draft_masks_the_asker(cast: Cast, case: Case) -> None:
    draft = consultation.draft_answer(case)
    assert cast.org_a.name not in draft.title
    assert "不審メール" in draft.title
    for name in ("鈴木", "alice@rail.example", cast.org_a.name):
        assert name not in draft.body
    assert "大会を装うメール" in draft.body


def test_it_refuses_a_text_that_names_the_asker(cast: Cast, case: Case) -> None:
    with pytest.raises(ValidationError) as error:
        publish(cast, case, summary="東日本旅客鉄道テストから相談がありました。")
    assert "summary" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        publish(cast, case, body="Contact ALICE@rail.example")
    assert "body" in error.value.message_dict
    assert not Topic.objects.exists()
    assert not case.topics.exists()


def test_it_refuses_an_incident_case_and_a_narrow_tlp(cast: Cast) -> None:
    incident = make_case(cast.member_a, "障害")
    with pytest.raises(ValidationError):
        publish(cast, incident)
    consult = make_case(cast.member_a, "相談", kind="consultation")
    with pytest.raises(ValidationError) as error:
        publish(cast, consult, tlp="amber")
    assert "tlp" in error.value.message_dict
    assert not Topic.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "member_a", "responder", "outsider"])
def test_only_the_centre_publishes(cast: Cast, case: Case, who: str) -> None:
    with pytest.raises(PermissionDenied):
        consultation.publish_answer(getattr(cast, who), case, title="t", summary="s", body="")
    assert not Topic.objects.exists()


# --- The page ------------------------------------------------------------------------------------


def page(case: Case) -> str:
    return reverse("incidents:consultation_publish", args=[case.pk])


def test_the_page_is_prefilled_without_the_asker(cast: Cast, signed_in: Any, case: Case) -> None:
    response = signed_in(cast.analyst).get(page(case))
    assert response.status_code == 200
    form = response.context["form"]
    assert cast.org_a.name not in form.initial["title"]
    assert "鈴木" not in form.initial["body"]
    assert form.initial["body"]


def test_posting_publishes_and_goes_to_the_topic(cast: Cast, signed_in: Any, case: Case) -> None:
    response = signed_in(cast.analyst).post(
        page(case), {"title": "回答", "summary": "要約", "body": "本文", "tlp": "clear"}
    )
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:detail", args=[topic.pk])
    other = signed_in(cast.member_b).get(reverse("sharing:detail", args=[topic.pk]))
    assert other.status_code == 200
    assert cast.org_a.name not in other.content.decode()


def test_posting_a_text_naming_the_asker_shows_the_error(
    cast: Cast, signed_in: Any, case: Case
) -> None:
    response = signed_in(cast.analyst).post(
        page(case), {"title": "回答", "summary": "鈴木 愛さんへ", "body": "", "tlp": "clear"}
    )
    assert response.status_code == 400
    assert "summary" in response.context["form"].errors
    assert not Topic.objects.exists()


def test_the_auditor_may_not_publish(cast: Cast, signed_in: Any, case: Case) -> None:
    client = signed_in(cast.auditor)
    assert client.get(page(case)).status_code == 403
    assert (
        client.post(page(case), {"title": "t", "summary": "s", "tlp": "clear"}).status_code == 403
    )
    assert not Topic.objects.exists()


@pytest.mark.parametrize("who", ["member_a", "member_b", "responder", "vendor_analyst", "outsider"])
def test_the_page_is_404_for_everyone_else(
    cast: Cast, signed_in: Any, case: Case, who: str
) -> None:
    client = signed_in(getattr(cast, who))
    assert client.get(page(case)).status_code == 404
    assert (
        client.post(page(case), {"title": "t", "summary": "s", "tlp": "clear"}).status_code == 404
    )
    assert not Topic.objects.exists()


def test_the_page_is_404_for_an_incident(cast: Cast, signed_in: Any) -> None:
    incident = make_case(cast.member_a, "障害")
    assert signed_in(cast.analyst).get(page(incident)).status_code == 404
