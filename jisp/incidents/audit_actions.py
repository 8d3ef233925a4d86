"""The incidents app's audit actions, with their readable text (see ``jisp.core.audit``)."""

from django.utils.translation import gettext_lazy as _

from jisp.core import audit

audit.register_actions(
    {
        "incidents.report.created": _("Wrote a report"),
        "incidents.report.submitted": _("Sent a report"),
        "incidents.report.entered": _("Entered a report received outside the platform"),
        "incidents.report.updated": _("Added an update to a report"),
        "incidents.report.viewed": _("Read a report (TLP:AMBER or above)"),
        "incidents.report.routed": _("Routed a report"),
        "incidents.attachment.added": _("Attached a file to a report"),
        "incidents.attachment.downloaded": _("Downloaded a report's attachment"),
        "incidents.rule.changed": _("Changed a routing rule"),
        "incidents.case.opened": _("Opened a case"),
        "incidents.case.viewed": _("Read a case (TLP:AMBER or above)"),
        "incidents.case.changed": _("Changed a case"),
        "incidents.case.message": _("Wrote on a case"),
        "incidents.case.merged": _("Merged cases"),
        "incidents.support.requested": _("Asked an organisation for support"),
        "incidents.support.answered": _("Answered a support request"),
        "incidents.support.closed": _("Closed a support request"),
        "incidents.sitrep.drafted": _("Drafted a situation report"),
        "incidents.sitrep.approved": _("Approved a situation report"),
        "incidents.sitrep.issued": _("Issued a situation report"),
        "incidents.sitrep.viewed": _("Read or downloaded a situation report"),
        "incidents.sitrep_recipient.changed": _("Changed the recipients of situation reports"),
        "incidents.duty.changed": _("Changed the duty log"),
        "incidents.consultation.published": _("Published a consultation's answer as a topic"),
    }
)
