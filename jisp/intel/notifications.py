"""The kinds of notification the intel app sends (registered with the core service)."""

from django.utils.translation import gettext_lazy as _

from jisp.core.choices import Channel
from jisp.core.services.notifications import register_kind

ASSET_TOUCHED = "intel.asset.touched"
ASSET_TOUCHED_CENTRE = "intel.asset.touched_centre"
VERDICT_REQUESTED = "intel.verdict.requested"
VERDICT_ANSWERED = "intel.verdict.answered"
SIGHTING_REPORTED = "intel.sighting.reported"

register_kind(
    ASSET_TOUCHED,
    _("Shared intelligence about your assets"),
    {Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK},
    _("An indicator, sighting or report shared on the platform names one of your domains or "
      "networks."),
)  # fmt: skip
register_kind(
    ASSET_TOUCHED_CENTRE,
    _("Restricted intelligence about a member's assets (centre)"),
    {Channel.IN_APP, Channel.EMAIL},
    _("Intelligence that the member may not see names one of its assets: decide whether to "
      "share it."),
)  # fmt: skip
register_kind(
    VERDICT_REQUESTED,
    _("Verdict requests to your organisation"),
    {Channel.IN_APP, Channel.EMAIL, Channel.WEBHOOK},
    _("The centre asks whether a value is harmful or harmless."),
)
register_kind(
    VERDICT_ANSWERED,
    _("Answers to verdict requests"),
    {Channel.IN_APP, Channel.EMAIL},
    _("A vendor answered a verdict request."),
)
register_kind(
    SIGHTING_REPORTED,
    _("Sightings of indicators (centre)"),
    {Channel.IN_APP},
    _("A member reported seeing an indicator in its network."),
)
