"""Named choices of the intel app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorKind(models.TextChoices):
    IPV4 = "ipv4", _("IPv4 address")
    IPV6 = "ipv6", _("IPv6 address")
    CIDR = "cidr", _("Network (CIDR)")
    DOMAIN = "domain", _("Domain name")
    URL = "url", "URL"
    EMAIL = "email", _("E-mail address")
    MD5 = "md5", "MD5"
    SHA1 = "sha1", "SHA-1"
    SHA256 = "sha256", "SHA-256"


#: The hash kinds (file indicators).
HASH_KINDS = frozenset({IndicatorKind.MD5, IndicatorKind.SHA1, IndicatorKind.SHA256})


class Verdict(models.TextChoices):
    HARMFUL = "harmful", _("Harmful")
    HARMLESS = "harmless", _("Harmless")
    UNKNOWN = "unknown", _("Cannot tell")


class VerdictState(models.TextChoices):
    OPEN = "open", _("Waiting for answers")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class AssetKind(models.TextChoices):
    DOMAIN = "domain", _("Domain name (and its subdomains)")
    NETWORK = "network", _("IP address or network (CIDR)")


class ImportFormat(models.TextChoices):
    STIX = "stix", "STIX 2.1"
    MISP = "misp", _("MISP event (JSON)")
    MISP_FEED = "misp_feed", _("MISP feed (manifest and events)")


class ImportState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class MentionSource(models.TextChoices):
    TOPIC = "topic", _("Topic")
    REPORT = "report", _("Report")
    CASE = "case", _("Case")
