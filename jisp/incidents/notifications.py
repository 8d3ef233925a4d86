"""The kinds of notification the incidents app sends (registered with the core service)."""

from django.utils.translation import gettext_lazy as _

from jisp.core.choices import Channel
from jisp.core.services.notifications import register_kind

REPORT_RECEIVED = "incidents.report.received"
REPORT_ROUTED = "incidents.report.routed"
CASE_MESSAGE = "incidents.case.message"
CASE_ASSIGNED = "incidents.case.assigned"
CASE_STATE = "incidents.case.state"
SUPPORT_REQUESTED = "incidents.support.requested"
SUPPORT_ANSWERED = "incidents.support.answered"
SITREP_APPROVAL = "incidents.sitrep.approval"
BULLETIN = "incidents.bulletin"

register_kind(
    REPORT_RECEIVED,
    _("New reports (centre)"),
    {Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK},
    _("A member sent an incident report or a consultation."),
)
register_kind(
    REPORT_ROUTED,
    _("Reports routed to your organisation"),
    {Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK},
    _("A member's report reached your organisation under a routing rule."),
)
register_kind(
    CASE_MESSAGE,
    _("Messages on cases"),
    {Channel.IN_APP, Channel.EMAIL},
    _("The centre or the reporter wrote on a case you take part in."),
)
register_kind(CASE_ASSIGNED, _("Cases assigned to you"), {Channel.IN_APP, Channel.EMAIL})
register_kind(
    CASE_STATE,
    _("Changes of state of the cases you reported"),
    {Channel.IN_APP},
)
register_kind(
    SUPPORT_REQUESTED,
    _("Support requests to your organisation"),
    {Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK},
)
register_kind(SUPPORT_ANSWERED, _("Answers to support requests"), {Channel.IN_APP, Channel.EMAIL})
register_kind(
    SITREP_APPROVAL,
    _("Situation reports waiting for approval"),
    {Channel.IN_APP, Channel.EMAIL},
)
register_kind(
    BULLETIN,
    _("The centre's daily bulletin"),
    {Channel.IN_APP, Channel.EMAIL},
    _("Once a day: what the centre did."),
)
