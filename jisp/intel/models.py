"""Indicators, their STIX versions (the TAXII store), sightings, verdict requests, assets.

Who sees an indicator, a sighting or a STIX object is decided by ``jisp.core.policy`` (they are
``Shareable``; the section "Threat intelligence" adds what is particular to them); TAXII
collections are views of the STIX store by TLP and audience.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisp.core.choices import TLP, Audience
from jisp.core.models import Shareable
from jisp.intel.choices import (
    AssetKind,
    ImportFormat,
    ImportState,
    IndicatorKind,
    MentionSource,
    Verdict,
    VerdictState,
)

USER = settings.AUTH_USER_MODEL

#: Longest value kept (URLs); longer ones are refused by validation.
MAX_VALUE_LENGTH = 2048


class Indicator(Shareable):
    """One organisation's statement that a value (address, domain, URL, hash...) is malicious.

    ``value`` is normalised (``jisp.intel.indicators.normalise``); the same value from two
    sources is two rows that correlation links. Every change writes a new STIX version
    (``StixObject``) and moves ``changed_at`` (what the exports' "changes since" read).
    """

    kind = models.CharField(_("type"), max_length=8, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=MAX_VALUE_LENGTH)
    stix_id = models.CharField(max_length=64, editable=False)  # unique: see Meta
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    labels: models.JSONField[Any] = models.JSONField(_("tags"), default=list, blank=True)
    malware = models.CharField(
        _("malware family"), max_length=100, blank=True, help_text=_("For example Emotet.")
    )
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), default=50, help_text=_("0 (unknown) to 100 (certain).")
    )
    sources: models.JSONField[Any] = models.JSONField(_("sources"), default=list, blank=True)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    false_positive = models.BooleanField(_("false positive"), default=False)
    false_positive_note = models.CharField(_("why a false positive"), max_length=500, blank=True)
    revoked = models.BooleanField(_("withdrawn"), default=False)
    created = models.DateTimeField(_("created"), default=timezone.now)
    modified = models.DateTimeField(_("modified"), default=timezone.now)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now, db_index=True)
    topics = models.ManyToManyField(
        "sharing.Topic", verbose_name=_("topics"), blank=True, related_name="+"
    )
    reports = models.ManyToManyField(
        "incidents.Report", verbose_name=_("reports"), blank=True, related_name="+"
    )
    cases = models.ManyToManyField(
        "incidents.Case", verbose_name=_("cases"), blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            # Led by the value: it is also the index of every look-up by value (matching,
            # correlation, imports), so an insert updates one index by value, not two.
            models.UniqueConstraint(
                fields=["value", "kind", "organisation"], name="intel_indicator_one_per_source"
            ),
            # A constraint, not unique=True: on PostgreSQL that adds a second index for LIKE
            # (never used on ids) that every insert updates at a random place.
            models.UniqueConstraint(fields=["stix_id"], name="intel_indicator_one_stix_id"),
            models.CheckConstraint(
                condition=models.Q(confidence__lte=100), name="intel_indicator_confidence_max"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "changed_at"], name="intel_indicator_kind_changed"),
            models.Index(fields=["valid_until"], name="intel_indicator_valid_until"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"

    @property
    def is_active(self) -> bool:
        """Shared in exports: not withdrawn, not a false positive, not expired."""
        if self.revoked or self.false_positive:
            return False
        return self.valid_until is None or self.valid_until > timezone.now()


class StixObject(Shareable):
    """One version of one STIX 2.1 object: what TAXII serves and STIX exports read.

    ``body`` is the object's compact JSON, written once (serving never re-serialises);
    ``date_added`` is unique and increasing (so ``added_after`` can split any batch).
    """

    stix_id = models.CharField(max_length=100)
    stix_type = models.CharField(max_length=64)
    spec_version = models.CharField(max_length=8, default="2.1")
    created = models.DateTimeField()
    modified = models.DateTimeField()
    date_added = models.DateTimeField(unique=True)
    body = models.TextField()
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="stix_versions"
    )

    class Meta:
        verbose_name = _("STIX object")
        verbose_name_plural = _("STIX objects")
        constraints = [
            models.UniqueConstraint(
                fields=["stix_id", "modified"], name="intel_stixobject_one_version"
            ),
        ]
        indexes = [
            models.Index(fields=["stix_type", "date_added"], name="intel_stix_type_added"),
            models.Index(fields=["tlp", "audience", "date_added"], name="intel_stix_scope_added"),
        ]

    def __str__(self) -> str:
        return f"{self.stix_id} ({self.modified.isoformat()})"


class TaxiiCollection(models.Model):
    """A TAXII collection: the STIX objects of one sharing scope (TLP and audience).

    Each caller lists only the collections whose scope the policy lets them read
    (``policy.readable_collections``); the objects served are those of the scope that the
    caller may see, re-checked per object by the policy.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alias = models.SlugField(_("alias"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tlp = models.CharField(_("TLP"), max_length=12, choices=TLP.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    sector = models.ForeignKey(
        "core.Sector", verbose_name=_("sector"), on_delete=models.CASCADE, null=True, blank=True
    )
    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    members_may_write = models.BooleanField(
        _("members may add objects"),
        default=False,
        help_text=_("Otherwise only the coordination centre's staff add objects."),
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "alias"]
        verbose_name = _("TAXII collection")
        verbose_name_plural = _("TAXII collections")

    def __str__(self) -> str:
        return self.title


class TaxiiStatus(models.Model):
    """The outcome of one POST of objects to a collection (TAXII status resource)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    collection = models.ForeignKey(TaxiiCollection, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    request_timestamp = models.DateTimeField(default=timezone.now)
    total_count = models.PositiveIntegerField(default=0)
    successes: models.JSONField[Any] = models.JSONField(default=list)
    failures: models.JSONField[Any] = models.JSONField(default=list)

    class Meta:
        verbose_name = _("TAXII status")
        verbose_name_plural = _("TAXII statuses")

    def __str__(self) -> str:
        return str(self.id)


class Sighting(Shareable):
    """A member's report that an indicator was seen in its network.

    Shared by default with the centre only (audience "centre", TLP:AMBER): where it was seen
    is the member's own business.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="sightings"
    )
    count = models.PositiveIntegerField(_("times seen"), default=1)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    where = models.CharField(
        _("where"), max_length=300, blank=True, help_text=_("For example: web proxy, head office.")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        indexes = [models.Index(fields=["indicator", "last_seen"], name="intel_sighting_last")]

    def __str__(self) -> str:
        return f"{self.indicator} x{self.count}"


class Mention(models.Model):
    """A value found in the text of a topic, report or case: what correlation links."""

    kind = models.CharField(max_length=8, choices=IndicatorKind.choices)
    value = models.CharField(max_length=MAX_VALUE_LENGTH)
    source = models.CharField(max_length=8, choices=MentionSource.choices)
    object_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "object_id", "kind", "value"], name="intel_mention_once"
            )
        ]
        indexes = [models.Index(fields=["value", "kind"], name="intel_mention_value")]

    def __str__(self) -> str:
        return f"{self.source}:{self.object_id} {self.value}"


class VerdictRequest(models.Model):
    """The centre asks chosen vendors whether a value is harmful."""

    kind = models.CharField(_("type"), max_length=8, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=MAX_VALUE_LENGTH)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("question"), blank=True)
    requested_by = models.ForeignKey(
        USER, verbose_name=_("asked by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("on behalf of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The member who asked the centre, if any."),
    )
    share_with_member = models.BooleanField(_("show the answers to that member"), default=True)
    state = models.CharField(
        _("state"), max_length=8, choices=VerdictState.choices, default=VerdictState.OPEN
    )
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verdict request")
        verbose_name_plural = _("verdict requests")

    def __str__(self) -> str:
        return self.value


class VerdictAnswer(models.Model):
    """One vendor's answer (empty verdict while it has not answered)."""

    request = models.ForeignKey(VerdictRequest, on_delete=models.CASCADE, related_name="answers")
    vendor = models.ForeignKey(
        "core.Organisation", verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices, blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    answered_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["vendor__name"]
        constraints = [
            models.UniqueConstraint(fields=["request", "vendor"], name="intel_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.vendor_id}: {self.verdict or '-'}"


class Asset(models.Model):
    """A domain or network that belongs to a member: alerts when shared intelligence touches it."""

    organisation = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("type"), max_length=8, choices=AssetKind.choices)
    value = models.CharField(_("value"), max_length=255)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "value"], name="intel_asset_once"
            )
        ]

    def __str__(self) -> str:
        return self.value


class ImportRun(models.Model):
    """One import of a STIX bundle or MISP file: counts and the first errors."""

    format = models.CharField(_("format"), max_length=12, choices=ImportFormat.choices)
    name = models.CharField(_("file"), max_length=255, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=ImportState.choices, default=ImportState.RUNNING
    )
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    objects_read = models.PositiveIntegerField(default=0)
    indicators_added = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors: models.JSONField[Any] = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.format} {self.name}"
