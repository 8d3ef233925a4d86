"""Posting a new topic: the form, who may post, review of members' topics, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from jisp.core.models import AuditEvent, Organisation
from jisp.sharing.choices import TopicStatus
from jisp.sharing.models import Tag, Topic, TopicVersion

URL = reverse("sharing:new")


def form_data(**changes):
    data = {
        "title": "不審メールに関する注意喚起",
        "summary": "大会関係者を装った不審なメールが届いています。",
        "actions": "添付ファイルを開かない\n送信元を確認する\n",
        "body": "## 詳細\n\n件名は「被害報告」です。",
        "category": "alert",
        "tags": "phishing, 不審メール、phishing",
        "tlp": "green",
        "audience": "everyone",
        "valid_until": "",
    }
    data.update(changes)
    return data


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def ja(msgid):
    with translation.override("ja"):
        return gettext(msgid)


def rows():
    return Topic.objects.count(), TopicVersion.objects.count(), Tag.objects.count()


def test_it_shows_the_form_without_centre_options_to_a_member(cast, signed_in):
    response = signed_in(cast.member_a).get(URL)
    assert response.status_code == 200
    fields = response.context["form"].fields
    assert "pinned" not in fields and "requires_ack" not in fields
    assert "change_note" not in fields
    assert b'type="datetime-local"' in response.content


def test_it_offers_pinning_and_acknowledgement_to_the_centre(cast, signed_in):
    fields = signed_in(cast.analyst).get(URL).context["form"].fields
    assert "pinned" in fields and "requires_ack" in fields


def test_it_offers_only_visible_organisations_and_people(cast, signed_in):
    hidden = Organisation.objects.create(name="非公開組織", category="operator", listed=False)
    form = signed_in(cast.member_a).get(URL).context["form"]
    orgs = set(form.fields["organisations"].queryset)
    assert cast.org_b in orgs and hidden not in orgs


def test_it_names_people_by_address_only_among_those_the_author_may_see(cast, signed_in):
    client = signed_in(cast.member_a)
    data = form_data(tlp="red", audience="people", people="aki@rail.example\nbob@power.example")
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "bob@power.example" in response.content.decode()
    assert not Topic.objects.exists()
    data["people"] = "AKI@rail.example"
    assert client.post(URL, data).status_code == 302
    assert list(Topic.objects.get().audience_people.all()) == [cast.member_a2]


def test_it_sends_a_members_topic_to_review_and_says_so(cast, signed_in):
    client = signed_in(cast.member_a)
    response = client.post(URL, form_data())
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sharing:detail", args=[topic.pk])
    assert topic.status == TopicStatus.PENDING_REVIEW
    assert topic.organisation == cast.org_a
    assert topic.actions == ["添付ファイルを開かない", "送信元を確認する"]
    assert sorted(t.name for t in topic.tags.all()) == ["phishing", "不審メール"]
    assert topic.versions.get().number == 1
    assert ja(
        "Your topic was sent to the coordination centre for review. It will be published once "
        "approved."
    ) in messages_of(response)


def test_it_publishes_the_centres_topic_at_once(cast, signed_in):
    response = signed_in(cast.analyst).post(URL, form_data(pinned="on", requires_ack="on"))
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert topic.status == TopicStatus.PUBLISHED and topic.published_at is not None
    assert topic.organisation == cast.centre
    assert topic.pinned and topic.requires_ack
    assert topic.acknowledgements.filter(organisation=cast.org_b).exists()
    assert AuditEvent.objects.filter(action="sharing.topic.published").count() == 1


def test_it_saves_a_draft_and_leads_to_its_edit_page(cast, signed_in):
    response = signed_in(cast.member_a).post(URL, form_data(save_draft="1"))
    topic = Topic.objects.get()
    assert topic.status == TopicStatus.DRAFT
    assert response["Location"] == reverse("sharing:edit", args=[topic.pk])


def test_it_ignores_a_pin_sent_by_a_member(cast, signed_in):
    signed_in(cast.member_a).post(URL, form_data(pinned="on", requires_ack="on"))
    topic = Topic.objects.get()
    assert not topic.pinned and not topic.requires_ack


def test_it_reads_valid_until_in_japan_time(cast, signed_in):
    signed_in(cast.analyst).post(URL, form_data(valid_until="2099-07-30T09:00"))
    assert Topic.objects.get().valid_until == datetime(2099, 7, 30, 0, 0, tzinfo=UTC)


def test_it_refuses_auditors_and_people_without_a_membership(cast, signed_in, client):
    for person in (cast.auditor, cast.outsider):
        signed_in(person)
        assert client.get(URL).status_code == 403
        assert client.post(URL, form_data()).status_code == 403
    assert Topic.objects.count() == 0


def test_it_asks_to_sign_in(client, cast):
    response = client.get(URL)
    assert response.status_code == 302
    assert "signin" in response["Location"] or "login" in response["Location"]


def test_it_rejects_an_audience_of_organisations_without_any(cast, signed_in):
    before = rows()
    response = signed_in(cast.member_a).post(URL, form_data(audience="organisations"))
    assert response.status_code == 400
    assert response.context["form"].errors["organisations"]
    assert rows() == before


def test_it_rejects_tlp_red_to_everyone(cast, signed_in):
    before = rows()
    response = signed_in(cast.analyst).post(URL, form_data(tlp="red", audience="everyone"))
    assert response.status_code == 400
    assert response.context["form"].errors["audience"]
    assert rows() == before
    assert not AuditEvent.objects.filter(action__startswith="sharing.topic").exists()


def test_it_rejects_an_organisation_the_member_may_not_see(cast, signed_in):
    hidden = Organisation.objects.create(name="非公開組織", category="operator", listed=False)
    data = form_data(audience="organisations", organisations=[hidden.pk])
    response = signed_in(cast.member_a).post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors["organisations"]
    assert Topic.objects.count() == 0


def test_it_rejects_missing_fields_and_a_past_end_of_validity(cast, signed_in):
    client = signed_in(cast.member_a)
    response = client.post(URL, form_data(title="", summary=""))
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "summary"}
    response = client.post(URL, form_data(valid_until="2020-01-01T00:00"))
    assert response.status_code == 400
    assert response.context["form"].errors["valid_until"]
    response = client.post(URL, form_data(valid_until="not a date"))
    assert response.status_code == 400
    assert Topic.objects.count() == 0


def test_it_stores_script_in_markdown_but_renders_it_inert(cast, signed_in):
    body = (
        "<script>alert('x')</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n"
        "[ok](https://example.org/)"
    )
    signed_in(cast.analyst).post(URL, form_data(body=body))
    topic = Topic.objects.get()
    assert topic.body == body
    assert "<script" not in topic.body_html
    assert 'href="javascript:' not in topic.body_html
    assert "<img" not in topic.body_html and "&lt;img" in topic.body_html
    assert 'href="https://example.org/"' in topic.body_html
    page = signed_in(cast.member_b).get(reverse("sharing:detail", args=[topic.pk]))
    assert page.status_code == 200
    assert b"<script>alert" not in page.content
    assert b'href="javascript:' not in page.content
    assert b"<img src=x" not in page.content
