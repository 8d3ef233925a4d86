"""Test helpers of the intel app."""

from __future__ import annotations

from typing import Any

from jisp.core.choices import TLP, Audience
from jisp.core.models import Organisation, User
from jisp.intel.models import Indicator
from jisp.intel.services.indicators import IndicatorInput, create_indicator


def make_indicator(
    organisation: Organisation,
    kind: str,
    value: str,
    created_by: User | None = None,
    *,
    tlp: str = TLP.GREEN,
    audience: str = Audience.EVERYONE,
    **fields: Any,
) -> Indicator:
    """An indicator written through the service (a STIX version included). ``created_by``
    defaults to a member of ``organisation``."""
    if created_by is None:
        created_by = User.objects.filter(memberships__organisation=organisation).first()
        assert created_by is not None, "the organisation needs a member"
    data = IndicatorInput(kind=kind, value=value, tlp=tlp, audience=audience, **fields)
    return create_indicator(None, created_by, data, organisation=organisation)
