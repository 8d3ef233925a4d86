"""Members' own domains and networks, and the alerts when shared intelligence touches them.

An asset is a domain (with its subdomains) or an IP network. When an indicator is shared or
changed, a sighting reported, a topic published or a report sent that names a value inside one
(``assets_touched``), the asset's organisation is told (``ASSET_TOUCHED``) -- but only its members
who may see the item itself. When none of them may, the centre's staff are told instead
(``ASSET_TOUCHED_CENTRE``), naming the member and the item, so that the centre can decide to share
it; the member learns nothing. Each asset and item is alerted once per audience (the member,
the centre): a later change of the same item does not alert again, but an item that becomes
visible to the member later (shared more widely) does alert the member then.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisp.core import audit, policy
from jisp.core.models import Membership, Notification, Organisation, User
from jisp.core.services.notifications import notify
from jisp.intel import indicators as values
from jisp.intel.choices import AssetKind, IndicatorKind, MentionSource
from jisp.intel.models import Asset, Indicator, Mention, Sighting
from jisp.intel.notifications import ASSET_TOUCHED, ASSET_TOUCHED_CENTRE
from jisp.intel.services.sightings import centre_staff, page_url

#: The widest networks an organisation may register (narrower prefixes are refused).
MIN_PREFIX = {4: 16, 6: 32}
#: Assets per organisation.
MAX_ASSETS = 1000

#: Names under which anyone may register a domain: a member cannot own all of ``co.jp``. A short
#: list of the public suffixes that matter here (every single label is refused too).
_SUFFIXES = """
co.jp ne.jp or.jp ac.jp go.jp ad.jp ed.jp gr.jp lg.jp hokkaido.jp aomori.jp iwate.jp
miyagi.jp akita.jp yamagata.jp fukushima.jp ibaraki.jp tochigi.jp gunma.jp saitama.jp
chiba.jp tokyo.jp kanagawa.jp niigata.jp toyama.jp ishikawa.jp fukui.jp yamanashi.jp
nagano.jp gifu.jp shizuoka.jp aichi.jp mie.jp shiga.jp kyoto.jp osaka.jp hyogo.jp nara.jp
wakayama.jp tottori.jp shimane.jp okayama.jp hiroshima.jp yamaguchi.jp tokushima.jp
kagawa.jp ehime.jp kochi.jp fukuoka.jp saga.jp nagasaki.jp kumamoto.jp oita.jp miyazaki.jp
kagoshima.jp okinawa.jp co.uk org.uk ac.uk gov.uk me.uk ltd.uk plc.uk net.uk com.au net.au
org.au edu.au gov.au co.nz org.nz govt.nz co.kr or.kr go.kr ac.kr com.cn net.cn org.cn
gov.cn com.tw org.tw gov.tw com.hk org.hk gov.hk com.sg gov.sg edu.sg co.in gov.in com.br
gov.br co.za com.mx github.io gitlab.io herokuapp.com appspot.com blogspot.com
azurewebsites.net cloudfront.net web.app firebaseapp.com netlify.app vercel.app pages.dev
workers.dev s3.amazonaws.com amazonaws.com cloudapp.net trafficmanager.net
"""
PUBLIC_SUFFIXES = frozenset(_SUFFIXES.split())

#: Addresses that no member owns alone (refused as assets).
SHARED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/127",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
)


# --- Values ----------------------------------------------------------------------------------


def normalise_asset(kind: str, value: str) -> str:
    """The canonical form of an asset (``ValidationError`` on ``value`` when refused)."""
    value = (value or "").strip()
    if kind == AssetKind.DOMAIN:
        try:
            domain = values.normalise(IndicatorKind.DOMAIN, value)
        except ValidationError as exc:
            raise ValidationError({"value": _flat(exc)}) from None
        if "." not in domain or domain in PUBLIC_SUFFIXES:
            raise ValidationError(
                {"value": _("This is a public suffix that many organisations share: register "
                            "your own domain under it.")}
            )  # fmt: skip
        return domain
    if kind == AssetKind.NETWORK:
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ValidationError(
                {"value": _("Enter an IP address or a network such as 192.0.2.0/24.")}
            ) from None
        if network.prefixlen < MIN_PREFIX[network.version]:
            raise ValidationError(
                {"value": _("This network is too broad: at most /%(v4)s for IPv4 and /%(v6)s "
                            "for IPv6.") % {"v4": MIN_PREFIX[4], "v6": MIN_PREFIX[6]}}
            )  # fmt: skip
        if any(
            network.version == shared.version and network.overlaps(shared)
            for shared in SHARED_NETWORKS
        ):
            raise ValidationError(
                {"value": _("Private and reserved addresses are not your organisation's alone: "
                            "register public ones.")}
            )  # fmt: skip
        return str(network)
    raise ValidationError({"kind": _("Choose a domain name or a network.")})


def _flat(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


# --- Changes ---------------------------------------------------------------------------------


@transaction.atomic
def add_asset(
    request: HttpRequest | None,
    user: User,
    organisation: Organisation,
    kind: str,
    value: str,
    note: str = "",
) -> Asset:
    """Register one of ``organisation``'s domains or networks (its administrators, the centre)."""
    if not policy.can_manage_assets(user, organisation.pk):
        raise PermissionDenied(_("You may not change this organisation's assets."))
    canonical = normalise_asset(kind, value)
    if len(note) > 200:
        raise ValidationError({"note": _("Enter at most 200 characters.")})
    existing = Asset.objects.filter(organisation=organisation)
    if existing.filter(kind=kind, value=canonical).exists():
        raise ValidationError({"value": _("This asset is already registered.")})
    if existing.count() >= MAX_ASSETS:
        raise ValidationError(
            {"value": _("An organisation registers at most %(n)s assets.") % {"n": MAX_ASSETS}}
        )
    asset = Asset.objects.create(
        organisation=organisation, kind=kind, value=canonical, note=note.strip(), created_by=user
    )
    audit.record(
        "intel.asset.changed", request=request, actor=user, obj=asset, organisation=organisation,
        change="added", value=canonical,
    )  # fmt: skip
    return asset


@transaction.atomic
def remove_asset(request: HttpRequest | None, user: User, asset: Asset) -> None:
    if not policy.can_manage_assets(user, asset.organisation_id):
        raise PermissionDenied(_("You may not change this organisation's assets."))
    audit.record(
        "intel.asset.changed", request=request, actor=user, obj=asset,
        organisation=asset.organisation_id, change="removed", value=asset.value,
    )  # fmt: skip
    asset.delete()


# --- Matching --------------------------------------------------------------------------------


@dataclass
class AssetIndex:
    """Every asset, held for matching many values: domains by name, networks by prefix length
    (a value is looked up once per length in use, not compared with every network)."""

    domains: dict[str, list[Asset]] = field(default_factory=dict)
    networks: dict[tuple[int, int], dict[Any, list[Asset]]] = field(default_factory=dict)

    @classmethod
    def load(cls, queryset: QuerySet[Asset] | None = None) -> AssetIndex:
        index = cls()
        qs = Asset.objects.select_related("organisation") if queryset is None else queryset
        for asset in qs:
            if asset.kind == AssetKind.DOMAIN:
                index.domains.setdefault(asset.value, []).append(asset)
            else:
                try:
                    net = ipaddress.ip_network(asset.value, strict=False)
                except ValueError:
                    continue
                by_len = index.networks.setdefault((net.version, net.prefixlen), {})
                by_len.setdefault(net, []).append(asset)
        return index

    def _domain(self, domain: str) -> list[Asset]:
        found: list[Asset] = []
        labels = domain.rstrip(".").lower().split(".")
        for i in range(len(labels)):
            found.extend(self.domains.get(".".join(labels[i:]), ()))
        return found

    def _network(self, net: Any) -> list[Asset]:
        found: list[Asset] = []
        for (version, length), nets in self.networks.items():
            if version != net.version:
                continue
            if length <= net.prefixlen:
                found.extend(nets.get(net.supernet(new_prefix=length), ()))
            else:  # an asset inside the indicator's (wider) network
                found.extend(a for n, assets in nets.items() if n.subnet_of(net) for a in assets)
        return found

    def touched(self, kind: str, value: str) -> list[Asset]:
        host = host_of(kind, value)
        if host is None:
            return []
        found = self._domain(host) if isinstance(host, str) else self._network(host)
        return list({a.pk: a for a in found}.values())


def host_of(kind: str, value: str) -> Any:
    """What of an indicator value an asset can contain: a domain name (str) or a network."""
    try:
        if kind in (IndicatorKind.IPV4, IndicatorKind.IPV6, IndicatorKind.CIDR):
            return ipaddress.ip_network(value, strict=False)
        if kind == IndicatorKind.DOMAIN:
            return value.lower().rstrip(".")
        if kind == IndicatorKind.EMAIL:
            return value.rpartition("@")[2].lower().rstrip(".") or None
        if kind == IndicatorKind.URL:
            from urllib.parse import urlsplit

            hostname = urlsplit(value).hostname
            if not hostname:
                return None
            try:
                return ipaddress.ip_network(hostname)
            except ValueError:
                return hostname.rstrip(".")
    except ValueError:
        return None
    return None


def assets_touched(kind: str, value: str, index: AssetIndex | None = None) -> list[Asset]:
    """The assets that contain the value: a domain equal to or under an asset domain (URLs by
    their host, e-mail addresses by their domain), an address or network overlapping an asset
    network. Pass ``index`` (``AssetIndex.load()``) when matching many values."""
    return (index or AssetIndex.load()).touched(kind, value)


# --- Alerts ----------------------------------------------------------------------------------


def _values_of(item: Model) -> list[tuple[str, str]]:
    if isinstance(item, Indicator):
        return [(item.kind, item.value)]
    if isinstance(item, Sighting):
        return [(item.indicator.kind, item.indicator.value)]
    source = _mention_source(item)
    if source is None:
        return []
    return list(
        Mention.objects.filter(source=source, object_id=item.pk).values_list("kind", "value")
    )


def _mention_source(item: Model) -> str | None:
    label = item._meta.label_lower
    return {
        "sharing.topic": MentionSource.TOPIC,
        "incidents.report": MentionSource.REPORT,
        "incidents.case": MentionSource.CASE,
    }.get(label)


def _alertable(item: Model) -> bool:
    """Only what is shared: active indicators, published topics, sent reports."""
    if isinstance(item, Indicator):
        return not item.revoked and not item.false_positive
    label = item._meta.label_lower
    if label == "sharing.topic":
        return getattr(item, "status", "") == "published"
    if label == "incidents.report":
        return getattr(item, "status", "") == "submitted"
    return isinstance(item, Sighting)


def _may_see(person: User, item: Model) -> bool:
    """Whether the person may see the item in full (a redacted report does not count: it hides
    the very text that names the asset)."""
    label = item._meta.label_lower
    if label == "sharing.topic":
        from jisp.sharing.services.topics import can_read

        return can_read(person, item)  # type: ignore[arg-type]
    if label == "incidents.report":
        grant = policy.report_grant(person, item)
        return grant in (policy.REPORT_OWNER, policy.REPORT_CENTRE, policy.REPORT_FULL)
    if isinstance(item, Sighting):
        return policy.can_view(person, item) and policy.can_view(person, item.indicator)
    return policy.can_view(person, item)  # type: ignore[arg-type]


def _item_url(item: Model) -> str:
    from django.urls import NoReverseMatch, reverse

    label = item._meta.label_lower
    if isinstance(item, Indicator):
        return page_url("indicator_detail", item.pk)
    if isinstance(item, Sighting):
        return page_url("indicator_detail", item.indicator_id)
    names = {"sharing.topic": "sharing:topic_detail", "incidents.report": "incidents:report_detail"}
    try:
        return reverse(names[label], args=[item.pk]) if label in names else ""
    except NoReverseMatch:
        return ""


_WHAT = {
    "intel.indicator": gettext_lazy("an indicator"),
    "intel.sighting": gettext_lazy("a sighting"),
    "sharing.topic": gettext_lazy("a topic"),
    "incidents.report": gettext_lazy("a report"),
}


class _Name:
    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation

    def __str__(self) -> str:
        return str(self.organisation.display_name)


def alert_for(items: Iterable[Model], index: AssetIndex | None = None) -> int:
    """Alert the owners of the assets each item touches (see the module's docstring): one
    notification per organisation and item, naming the assets not yet alerted for that item.
    Return the number of notifications written. An item never alerts its own organisation."""
    items = [i for i in items if _alertable(i)]
    if not items:
        return 0
    index = index or AssetIndex.load()
    if not index.domains and not index.networks:
        return 0
    written = 0
    for item in items:
        by_organisation: dict[int, dict[int, Asset]] = {}
        for kind, value in _values_of(item):
            for asset in index.touched(kind, value):
                if getattr(item, "organisation_id", None) == asset.organisation_id:
                    continue
                by_organisation.setdefault(asset.organisation_id, {})[asset.pk] = asset
        for touched in by_organisation.values():
            written += _alert_organisation(sorted(touched.values(), key=_order), item)
    return written


def _order(asset: Asset) -> tuple[str, str]:
    return (asset.kind, asset.value)


def _key(asset: Asset, item: Model) -> str:
    """What one alert of ``asset`` about ``item`` is known by (kept in the notification's data
    between bars, so that a lookup finds it among the others of the same notification)."""
    return f"|{asset.pk}:{item._meta.label_lower}:{item.pk}|"


def _new(kind: str, assets: list[Asset], item: Model) -> list[Asset]:
    """The assets not yet alerted about ``item`` as ``kind``."""
    return [
        a
        for a in assets
        if not Notification.objects.filter(
            kind=kind, data__asset_alert__icontains=_key(a, item)
        ).exists()
    ]


def _alert_organisation(assets: list[Asset], item: Model) -> int:
    organisation = assets[0].organisation
    what = _WHAT.get(item._meta.label_lower, "")
    members = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(organisation_id=organisation.pk).values("user_id"),
    ).order_by("pk")
    allowed = [p for p in members if _may_see(p, item)]
    kind = ASSET_TOUCHED if allowed else ASSET_TOUCHED_CENTRE
    fresh = _new(kind, assets, item)
    if not fresh:
        return 0
    names = ", ".join(a.value for a in fresh)
    data: dict[str, Any] = {
        "asset_alert": "".join(_key(a, item) for a in fresh),
        "assets": [a.pk for a in fresh],
    }
    if allowed:
        return len(
            notify(
                allowed,
                ASSET_TOUCHED,
                title=format_lazy(
                    gettext_lazy("Shared on the platform: {what} naming your assets {assets}"),
                    what=what,
                    assets=names,
                ),
                url=_item_url(item),
                data=data,
            )
        )
    centre = [p for p in centre_staff().order_by("pk") if _may_see(p, item)]
    if not centre:
        return 0
    data["organisation"] = organisation.pk
    return len(
        notify(
            centre,
            ASSET_TOUCHED_CENTRE,
            title=format_lazy(
                gettext_lazy("Not visible to {organisation}: {what} naming its assets {assets}"),
                what=what,
                organisation=_Name(organisation),
                assets=names,
            ),
            body=gettext_lazy("Decide whether to share it with them."),
            url=_item_url(item),
            data=data,
        )
    )


def alert_for_ids(model: type[Model], ids: Sequence[int]) -> int:
    """``alert_for`` the rows of ``model`` with these ids (what the signal receivers call)."""
    qs: Any = model._default_manager.filter(pk__in=list(ids))
    if model is Sighting:
        qs = qs.select_related("indicator")
    return alert_for(list(qs))


def visible_assets(user: Any) -> QuerySet[Asset]:
    """The assets the person may see (``policy.visible_assets``)."""
    return policy.visible_assets(user, Asset.objects.select_related("organisation"))
