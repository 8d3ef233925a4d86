"""Named choices of the core app: organisation categories, roles, TLP levels and audiences."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationCategory(models.TextChoices):
    ORGANISER = "organiser", _("Event organiser and partners")
    OPERATOR = "operator", _("Critical-service operator")
    VENUE = "venue", _("Venue manager")
    SPORTS = "sports", _("Sports body")
    MINISTRY = "ministry", _("Ministry")
    AGENCY = "agency", _("Information-security agency")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    SECURITY_CENTRE = "security_centre", _("Security information centre")
    VENDOR = "vendor", _("CTI vendor")
    CENTRE = "centre", _("Coordination centre")


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    COMMANDER = "commander", _("Overall commander")
    INCIDENT_CONTROLLER = "incident_controller", _("Incident controller")
    INCIDENT_HANDLER = "incident_handler", _("Incident handler")
    ORGANISER_LIAISON = "organiser_liaison", _("Organiser liaison")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    ANALYST = "analyst", _("Analyst")
    AGENCY_RESPONDER = "agency_responder", _("Agency responder")
    VENDOR_ANALYST = "vendor_analyst", _("Vendor analyst")
    AUDITOR = "auditor", _("Auditor")


#: The coordination centre's staff roles: they see everything below TLP:RED and may change it.
CENTRE_ROLES = frozenset(
    {
        Role.COMMANDER,
        Role.INCIDENT_CONTROLLER,
        Role.INCIDENT_HANDLER,
        Role.ORGANISER_LIAISON,
        Role.DUTY_OFFICER,
        Role.ANALYST,
    }
)

#: Roles that must sign in with a second factor.
TWO_FACTOR_ROLES = CENTRE_ROLES | {Role.ORG_ADMIN, Role.AUDITOR}

#: Which roles an organisation of each category may grant (besides member and org admin).
ROLES_BY_CATEGORY: dict[str, frozenset[str]] = {
    OrganisationCategory.CENTRE: CENTRE_ROLES | {Role.AUDITOR},
    OrganisationCategory.AGENCY: frozenset({Role.AGENCY_RESPONDER}),
    OrganisationCategory.LAW_ENFORCEMENT: frozenset({Role.AGENCY_RESPONDER}),
    OrganisationCategory.SECURITY_CENTRE: frozenset({Role.AGENCY_RESPONDER}),
    OrganisationCategory.VENDOR: frozenset({Role.VENDOR_ANALYST}),
}


def roles_for_category(category: str) -> frozenset[str]:
    return frozenset({Role.MEMBER, Role.ORG_ADMIN}) | ROLES_BY_CATEGORY.get(category, frozenset())


class TLP(models.TextChoices):
    """Traffic Light Protocol 2.0, in order of increasing restriction."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


TLP_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]


def tlp_at_least(level: str, threshold: str) -> bool:
    return TLP_ORDER.index(TLP(level)) >= TLP_ORDER.index(TLP(threshold))


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone on the platform")
    SECTORS = "sectors", _("Chosen sectors")
    ORGANISATIONS = "organisations", _("Chosen organisations")
    PEOPLE = "people", _("Named people")
    CENTRE = "centre", _("The coordination centre only")


#: Which audiences each TLP level admits (TLP:AMBER+STRICT stays inside named organisations,
#: TLP:RED inside named people).
AUDIENCES_BY_TLP: dict[str, frozenset[str]] = {
    TLP.CLEAR: frozenset(Audience.values),
    TLP.GREEN: frozenset(Audience.values),
    TLP.AMBER: frozenset(Audience.values),
    TLP.AMBER_STRICT: frozenset({Audience.ORGANISATIONS, Audience.PEOPLE, Audience.CENTRE}),
    TLP.RED: frozenset({Audience.PEOPLE}),
}


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the platform")
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")
