"""The intel app's audit actions, with their readable text (see ``jisp.core.audit``)."""

from django.utils.translation import gettext_lazy as _

from jisp.core import audit

audit.register_actions(
    {
        "intel.indicator.created": _("Shared an indicator"),
        "intel.indicator.changed": _("Changed an indicator"),
        "intel.indicator.viewed": _("Read an indicator (TLP:AMBER or above)"),
        "intel.indicator.false_positive": _("Marked an indicator as a false positive"),
        "intel.indicator.revoked": _("Withdrew an indicator"),
        "intel.indicator.extracted": _("Saved indicators found in a text"),
        "intel.sighting.reported": _("Reported a sighting"),
        "intel.sighting.viewed": _("Read a sighting (TLP:AMBER or above)"),
        "intel.import.stix": _("Imported a STIX bundle"),
        "intel.import.misp": _("Imported MISP events"),
        "intel.export.stix": _("Exported STIX"),
        "intel.export.feed": _("Pulled a product feed"),
        "intel.taxii.read": _("Read objects through TAXII"),
        "intel.taxii.added": _("Added objects through TAXII"),
        "intel.taxii.deleted": _("Deleted an object through TAXII"),
        "intel.match": _("Matched values against the indicators"),
        "intel.verdict.requested": _("Asked vendors for a verdict"),
        "intel.verdict.answered": _("Answered a verdict request"),
        "intel.verdict.closed": _("Closed a verdict request"),
        "intel.asset.changed": _("Changed an organisation's assets"),
        "intel.collection.changed": _("Changed a TAXII collection"),
    }
)
