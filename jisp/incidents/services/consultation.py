"""The consultation desk: a member's question is a case of kind "consultation"; the centre's
answer can be published as a topic for everyone, with the asker kept out of it.

The centre writes the text; ``draft_answer`` prefills it from the report with the asker's
organisation and person masked, and ``publish_answer`` refuses a text that still names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import User
from jisp.incidents.choices import EntryAudience, EntryKind, ReportKind
from jisp.incidents.models import Case
from jisp.incidents.services.timeline import add_entry
from jisp.sharing.choices import TopicCategory
from jisp.sharing.models import Topic
from jisp.sharing.services.topics import TopicInput, create_topic

#: What replaces the asker's names in a prefilled answer.
MASK = "〇〇"
#: An answer for everyone: only these levels let every member read it.
ANSWER_TLPS = (TLP.CLEAR, TLP.GREEN)


@dataclass
class AnswerDraft:
    title: str
    summary: str
    body: str


def asker_names(case: Case) -> list[str]:
    """The words that would identify the asker: the organisation's names, the reporter's names
    and e-mail address (longest first, so that a name inside another is masked whole)."""
    names: set[str] = set()
    if case.organisation is not None:
        names |= {case.organisation.name, case.organisation.name_en}
    report = case.report
    if report is not None and report.reporter is not None:
        person = report.reporter
        names |= {person.name, person.name_en, person.email}
        names |= {part for part in re.split(r"\s+", person.name or "") if len(part) >= 2}
    return sorted((n.strip() for n in names if n and len(n.strip()) >= 2), key=len, reverse=True)


def mask(text: str, names: list[str]) -> str:
    for name in names:
        text = re.sub(re.escape(name), MASK, text, flags=re.IGNORECASE)
    return text


def draft_answer(case: Case) -> AnswerDraft:
    """A starting point for the centre's answer: the question, with the asker masked."""
    names = asker_names(case)
    report = case.report
    question = report.description if report is not None else ""
    return AnswerDraft(
        title=mask(case.title, names),
        summary="",
        body=mask(question, names),
    )


@transaction.atomic
def publish_answer(
    actor: User,
    case: Case,
    *,
    title: str,
    summary: str,
    body: str,
    tlp: str = TLP.CLEAR,
    request: HttpRequest | None = None,
) -> Topic:
    """Publish the centre's answer to a consultation as a topic for everyone.

    Only the centre's staff, only for consultation cases. The topic's source is the centre; its
    category "advisory answer"; the text must not name the asker. It is linked to the case and
    the asker sees in the timeline that the answer was published.
    """
    if not policy.can_work_cases(actor):
        raise PermissionDenied(_("Only the coordination centre publishes answers."))
    if case.kind != ReportKind.CONSULTATION:
        raise ValidationError(_("Only a consultation's answer can be published this way."))
    errors: dict[str, str] = {}
    if tlp not in ANSWER_TLPS:
        errors["tlp"] = _("An answer for everyone is TLP:CLEAR or TLP:GREEN.")
    names = asker_names(case)
    for field, value in (("title", title), ("summary", summary), ("body", body)):
        lowered = (value or "").lower()
        if any(name.lower() in lowered for name in names):
            errors[field] = _(
                "This names the organisation or the person who asked: remove it before publishing."
            )
    if errors:
        raise ValidationError(errors)
    topic = create_topic(
        request,
        actor,
        TopicInput(
            title=(title or "").strip(),
            summary=(summary or "").strip(),
            body=body or "",
            category=TopicCategory.ADVISORY_ANSWER,
            tlp=tlp,
            audience=Audience.EVERYONE,
        ),
        publish=True,
    )
    case.topics.add(topic)
    add_entry(case, EntryKind.TOPIC, author=actor, body=topic.title,
              audience=EntryAudience.REPORTER, data={"topic": topic.pk})  # fmt: skip
    if case.acknowledged_at is None:
        Case.objects.filter(pk=case.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=topic.published_at
        )
    audit.record("incidents.consultation.published", request=request, actor=actor, obj=case,
                 case=case.pk, topic=topic.pk)  # fmt: skip
    return topic


def may_publish(user: Any, case: Case) -> bool:
    return policy.can_work_cases(user) and case.kind == ReportKind.CONSULTATION
