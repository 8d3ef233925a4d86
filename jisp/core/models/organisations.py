"""Organisations taking part, and the sectors of critical services with their ministries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import OrganisationCategory


class Sector(models.Model):
    """One of the critical-service sectors (22 in the seed), with the ministry in charge of it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    ministry = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("ministry in charge"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sectors_in_charge",
        limit_choices_to={"category": OrganisationCategory.MINISTRY},
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ja").startswith("en") else self.name_ja


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=OrganisationCategory.choices)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    is_active = models.BooleanField(_("active"), default=True)
    listed = models.BooleanField(
        _("listed in the directory"),
        default=True,
        help_text=_("Whether other members see this organisation in the directory."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["category", "name"]),
            models.Index(fields=["name", "id"], name="core_org_name_id_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "ja").startswith("en"):
            return self.name_en
        return self.name

    @property
    def is_centre(self) -> bool:
        return self.category == OrganisationCategory.CENTRE
