"""The fields every shared item carries, read by ``jisp.core.policy``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TLP, Audience


class Shareable(models.Model):
    """Abstract base of anything whose visibility the access policy decides.

    ``organisation`` is the source (its members see the item below TLP:RED), ``created_by`` the
    author (who always sees it); ``tlp`` and ``audience`` with the three audience lists say who
    else may. Never filter on these fields by hand: ask ``jisp.core.policy``.
    """

    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices, default=TLP.AMBER)
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    audience_sectors = models.ManyToManyField(
        "core.Sector", verbose_name=_("sectors"), blank=True, related_name="+"
    )
    audience_organisations = models.ManyToManyField(
        "core.Organisation", verbose_name=_("organisations"), blank=True, related_name="+"
    )
    audience_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people"), blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    organisation_id: int
    created_by_id: int | None

    class Meta:
        abstract = True
