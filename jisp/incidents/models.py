"""Reports from members, the centre's cases, support requests, situation reports and duty shifts.

Who sees what is decided by ``jisp.core.policy`` (the section "Reports and cases"): a report is
seen by its organisation, the centre's staff and auditors, and the organisations it was routed to
(fully or redacted, as the rule granted); a case by the centre, by the reporter (its state and
the conversation) and by the organisations asked for support (their own thread).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TLP
from jisp.core.models import StoredFile
from jisp.incidents.choices import (
    CaseRole,
    CaseState,
    DutyRole,
    EntryAudience,
    EntryKind,
    Grant,
    IntakeChannel,
    ReportCategory,
    ReportKind,
    ReportStatus,
    Severity,
    SitrepKind,
    SitrepSlot,
    SitrepState,
    SupportState,
    YesNoUnknown,
)

USER = settings.AUTH_USER_MODEL


class Report(models.Model):
    """What a member sends once: an incident report or a consultation."""

    kind = models.CharField(
        _("kind"), max_length=16, choices=ReportKind.choices, default=ReportKind.INCIDENT
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("reporting organisation"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        USER, verbose_name=_("reporter"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    category = models.CharField(
        _("category"), max_length=24, choices=ReportCategory.choices, default=ReportCategory.OTHER
    )
    started_at = models.DateTimeField(_("began"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected"), null=True, blank=True)
    affected_services = models.TextField(_("affected services"), blank=True)
    affected_systems = models.TextField(_("affected systems"), blank=True)
    event_impact = models.CharField(
        _("impact on the event"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    public_awareness = models.CharField(
        _("reported in the media"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    support_wanted: models.JSONField[Any] = models.JSONField(
        _("support wanted"), default=list, blank=True
    )
    indicators = models.TextField(
        _("indicators"),
        blank=True,
        help_text=_("Addresses, domains, URLs or hashes, one per line."),
    )
    tlp = models.CharField(_("TLP"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    channel = models.CharField(
        _("received by"),
        max_length=16,
        choices=IntakeChannel.choices,
        default=IntakeChannel.PLATFORM,
    )
    entered_by = models.ForeignKey(
        USER,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The centre's person who entered a report received by telephone or e-mail."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="incidents_report_org"),
            models.Index(fields=["status", "-submitted_at"], name="incidents_report_status"),
        ]

    def __str__(self) -> str:
        return self.title


class ReportUpdate(models.Model):
    """A later addition by the reporter ("service restored at 14:10")."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("update"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("report update")
        verbose_name_plural = _("report updates")

    def __str__(self) -> str:
        return f"{self.report_id}: {self.body[:40]}"


class ReportAttachment(StoredFile):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")


class RoutingRule(models.Model):
    """Who else receives a report: by the reporter's sector and the category (blank: any).

    The recipient is a named organisation, or — with ``sector_ministry`` — the ministry in
    charge of the reporter's sector.
    """

    name = models.CharField(_("name"), max_length=200)
    sector = models.ForeignKey(
        "core.Sector",
        verbose_name=_("reporter's sector"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: any sector."),
    )
    category = models.CharField(
        _("category"),
        max_length=24,
        choices=ReportCategory.choices,
        blank=True,
        help_text=_("Empty: any category."),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReportKind.choices, blank=True,
        help_text=_("Empty: incidents and consultations."),
    )  # fmt: skip
    recipient = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    sector_ministry = models.BooleanField(
        _("the ministry in charge of the sector"),
        default=False,
        help_text=_("Send to the ministry in charge of the reporter's sector."),
    )
    grant = models.CharField(_("grant"), max_length=16, choices=Grant.choices, default=Grant.FULL)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | models.Q(sector_ministry=True),
                name="incidents_rule_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReportRecipient(models.Model):
    """An organisation that received a report, and what it may see of it."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="recipients")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="received_reports"
    )
    grant = models.CharField(_("grant"), max_length=16, choices=Grant.choices)
    rule = models.ForeignKey(RoutingRule, on_delete=models.SET_NULL, null=True, blank=True)
    added_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    routed_at = models.DateTimeField(_("routed"), auto_now_add=True)

    class Meta:
        ordering = ["routed_at", "id"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "organisation"], name="incidents_recipient_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "report"], name="incidents_recipient_org")]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.organisation_id}"


class Case(models.Model):
    """The centre's handling of a report (or of something the centre opened itself)."""

    report = models.OneToOneField(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="case"
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReportKind.choices, default=ReportKind.INCIDENT
    )
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("reporting organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    category = models.CharField(
        _("category"), max_length=24, choices=ReportCategory.choices, default=ReportCategory.OTHER
    )
    tlp = models.CharField(_("TLP"), max_length=16, choices=TLP.choices, default=TLP.AMBER)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.NEW
    )
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM
    )
    assignee = models.ForeignKey(
        USER,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    event_impact = models.CharField(
        _("impact on the event"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    impact_note = models.TextField(_("impact assessment"), blank=True)
    impact_assessed_at = models.DateTimeField(_("impact assessed"), null=True, blank=True)
    impact_assessed_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    public_awareness = models.CharField(
        _("reported in the media"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    for_sitrep = models.BooleanField(
        _("in the situation report"),
        default=False,
        help_text=_("Proposed when the event is affected or the public is aware."),
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_cases",
    )
    topics = models.ManyToManyField(
        "sharing.Topic", verbose_name=_("topics"), blank=True, related_name="cases"
    )
    opened_at = models.DateTimeField(_("opened"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["state", "-opened_at"], name="incidents_case_queue"),
            models.Index(fields=["assignee", "state"], name="incidents_case_assignee"),
            models.Index(fields=["organisation", "-opened_at"], name="incidents_case_org"),
            models.Index(fields=["opened_at"], name="incidents_case_opened"),
            models.Index(fields=["category", "state"], name="incidents_case_category"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class CaseParticipant(models.Model):
    """A person with a role in a case: the centre's controller, handlers, liaison; agencies."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="case_roles")
    role = models.CharField(_("role"), max_length=16, choices=CaseRole.choices)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"], name="incidents_participant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.user_id} ({self.role})"


class SupportRequest(models.Model):
    """The centre asks an information-security agency or a CTI vendor for help on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_requests")
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("asked organisation"),
        on_delete=models.PROTECT,
        related_name="support_requests",
    )
    kinds: models.JSONField[Any] = models.JSONField(_("support asked"), default=list)
    message = models.TextField(_("request"))
    state = models.CharField(
        _("state"), max_length=16, choices=SupportState.choices, default=SupportState.REQUESTED
    )
    requested_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    answered_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answer_note = models.TextField(_("answer"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        indexes = [
            models.Index(fields=["organisation", "state"], name="incidents_support_org"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.organisation_id}"


class TimelineEntry(models.Model):
    """One line of a case's history: every action and every message, never edited."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    audience = models.CharField(
        _("visible to"),
        max_length=16,
        choices=EntryAudience.choices,
        default=EntryAudience.CENTRE,
    )
    support_request = models.ForeignKey(
        SupportRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="entries"
    )
    author = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("text"), blank=True)
    data: models.JSONField[Any] = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), db_index=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [models.Index(fields=["case", "created_at"], name="incidents_timeline_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class Task(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    assignee = models.ForeignKey(
        USER, verbose_name=_("assignee"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")

    def __str__(self) -> str:
        return self.title


class CaseLink(models.Model):
    """Two related cases (stored once, smaller id first)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_from")
    other = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_to")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("case link")
        verbose_name_plural = _("case links")
        constraints = [
            models.UniqueConstraint(fields=["case", "other"], name="incidents_link_unique"),
            models.CheckConstraint(
                condition=models.Q(case__lt=models.F("other")), name="incidents_link_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} ↔ {self.other_id}"


class SituationReport(models.Model):
    """An AM / PM report to the Security Coordination Centre, a summary for the organiser, or
    the daily bulletin to members: drafted from the cases of its period, approved, issued."""

    kind = models.CharField(_("kind"), max_length=16, choices=SitrepKind.choices)
    slot = models.CharField(_("slot"), max_length=8, choices=SitrepSlot.choices)
    period_start = models.DateTimeField(_("period from"))
    period_end = models.DateTimeField(_("period until"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    figures: models.JSONField[Any] = models.JSONField(_("figures"), default=dict, blank=True)
    cases = models.ManyToManyField(Case, verbose_name=_("cases"), blank=True, related_name="+")
    state = models.CharField(
        _("state"), max_length=16, choices=SitrepState.choices, default=SitrepState.DRAFT
    )
    drafted_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    approved_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    issued_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    recipients: models.JSONField[Any] = models.JSONField(
        _("sent to"), default=list, blank=True, help_text=_("The e-mail addresses it was sent to.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "kind", "-id"]
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        indexes = [models.Index(fields=["kind", "-period_start"], name="incidents_sitrep_kind")]

    def __str__(self) -> str:
        return self.title


class SitrepRecipient(models.Model):
    """An address that receives situation reports of one kind (kept by the centre)."""

    kind = models.CharField(_("kind"), max_length=16, choices=SitrepKind.choices)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("situation report recipient")
        verbose_name_plural = _("situation report recipients")
        constraints = [
            models.UniqueConstraint(fields=["kind", "email"], name="incidents_sitrep_rcpt_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class DutyShift(models.Model):
    """Who is on duty at the centre's 24-hour desk, and the handover note at the end."""

    person = models.ForeignKey(USER, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="duty_shifts")  # fmt: skip
    role = models.CharField(_("role"), max_length=24, choices=DutyRole.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    handover_note = models.TextField(_("handover note"), blank=True)
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "role", "id"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="incidents_duty_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="incidents_duty_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} {self.starts_at:%Y-%m-%d %H:%M}"
