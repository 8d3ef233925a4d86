"""Named choices of the incidents app: reports, cases, support requests, situation reports."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportKind(models.TextChoices):
    INCIDENT = "incident", _("Incident report")
    CONSULTATION = "consultation", _("Consultation")


class ReportCategory(models.TextChoices):
    CLOUD_OUTAGE = "cloud_outage", _("Cloud-service outage")
    SYSTEM_FAILURE = "system_failure", _("System failure")
    SITE_UNREACHABLE = "site_unreachable", _("Site unreachable / overload")
    DOS = "dos", _("DoS / DDoS")
    DEFACEMENT = "defacement", _("Website defacement")
    PHISHING = "phishing", _("Phishing")
    MALWARE = "malware", _("Malware / ransomware")
    UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access")
    INFORMATION_LEAK = "information_leak", _("Information leak")
    VULNERABILITY = "vulnerability", _("Vulnerability")
    PHYSICAL_CYBER = "physical_cyber", _("Physical-cyber")
    OTHER = "other", _("Other")


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Unknown")


class SupportKind(models.TextChoices):
    ADVICE = "advice", _("Advice")
    ON_SITE = "on_site", _("On-site help")
    MALWARE_ANALYSIS = "malware_analysis", _("Malware analysis")
    INVESTIGATION = "investigation", _("Cause investigation")


class IntakeChannel(models.TextChoices):
    """How the centre received a report."""

    PLATFORM = "platform", _("Platform")
    API = "api", _("API")
    PHONE = "phone", _("Telephone")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")


class Grant(models.TextChoices):
    """What a routing rule lets a recipient see of a report."""

    FULL = "full", _("Full report")
    REDACTED = "redacted", _("Redacted (no reporter, no details)")


class CaseState(models.TextChoices):
    NEW = "new", _("New")
    TRIAGE = "triage", _("Triage")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for reporter")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


#: The workflow: from each state, the states a case may move to.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    CaseState.NEW: frozenset({CaseState.TRIAGE, CaseState.IN_PROGRESS, CaseState.CLOSED}),
    CaseState.TRIAGE: frozenset({CaseState.IN_PROGRESS, CaseState.WAITING, CaseState.RESOLVED,
                                 CaseState.CLOSED}),
    CaseState.IN_PROGRESS: frozenset({CaseState.WAITING, CaseState.RESOLVED}),
    CaseState.WAITING: frozenset({CaseState.IN_PROGRESS, CaseState.RESOLVED}),
    CaseState.RESOLVED: frozenset({CaseState.IN_PROGRESS, CaseState.CLOSED}),
    CaseState.CLOSED: frozenset({CaseState.IN_PROGRESS}),
}  # fmt: skip

#: States of a case that is still being worked on (the queue).
OPEN_STATES = frozenset({CaseState.NEW, CaseState.TRIAGE, CaseState.IN_PROGRESS, CaseState.WAITING})


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


class CaseRole(models.TextChoices):
    """What a person does in a case."""

    CONTROLLER = "controller", _("Incident controller")
    HANDLER = "handler", _("Incident handler")
    LIAISON = "liaison", _("Organiser liaison")
    AGENCY = "agency", _("Agency or vendor participant")


class EntryKind(models.TextChoices):
    """One line of a case's timeline."""

    CREATED = "created", _("Case opened")
    ROUTED = "routed", _("Report routed")
    UPDATE = "update", _("Update from the reporter")
    MESSAGE = "message", _("Message")
    NOTE = "note", _("Internal note")
    STATE = "state", _("State changed")
    ASSIGNED = "assigned", _("Assigned")
    SEVERITY = "severity", _("Severity changed")
    PARTICIPANT = "participant", _("Participant added")
    TASK = "task", _("Task")
    SUPPORT = "support", _("Support request")
    IMPACT = "impact", _("Event impact assessed")
    LINK = "link", _("Linked case")
    MERGE = "merge", _("Merged")
    TOPIC = "topic", _("Topic published")


class EntryAudience(models.TextChoices):
    """Who besides the centre sees a timeline entry."""

    CENTRE = "centre", _("The centre only")
    REPORTER = "reporter", _("The centre and the reporter")
    SUPPORT = "support", _("The centre and the supporting organisation")


class SupportState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REPORTED = "reported", _("Findings sent")
    CLOSED = "closed", _("Closed")


SUPPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    SupportState.REQUESTED: frozenset({SupportState.ACCEPTED, SupportState.DECLINED,
                                       SupportState.CLOSED}),
    SupportState.ACCEPTED: frozenset({SupportState.REPORTED, SupportState.CLOSED}),
    SupportState.REPORTED: frozenset({SupportState.REPORTED, SupportState.CLOSED}),
    SupportState.DECLINED: frozenset(),
    SupportState.CLOSED: frozenset(),
}  # fmt: skip


class SitrepKind(models.TextChoices):
    SITUATION = "situation", _("Situation report to the Security Coordination Centre")
    ORGANISER = "organiser", _("Summary for the organiser")
    BULLETIN = "bulletin", _("Daily bulletin to members")


class SitrepSlot(models.TextChoices):
    AM = "am", _("AM")
    PM = "pm", _("PM")
    DAY = "day", _("Whole day")


class SitrepState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


class DutyRole(models.TextChoices):
    COMMANDER = "commander", _("Overall commander")
    INCIDENT_CONTROLLER = "incident_controller", _("Incident controller")
    INCIDENT_HANDLER = "incident_handler", _("Incident handler")
    ORGANISER_LIAISON = "organiser_liaison", _("Organiser liaison")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
