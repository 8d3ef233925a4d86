"""Imports of STIX bundles and MISP events by the centre's staff: rights, context, audit.

The pages and the API call these; the work is done by ``jisp.intel.stix.importer`` and
``jisp.intel.misp`` (which check the rights again, record the ``ImportRun`` and audit it as
``intel.import.stix`` / ``intel.import.misp``). Imported indicators belong to the centre (the
organisation the person writes for, ``services.indicators.source_for``) and are shared with the
TLP and audience chosen here, raised by the objects' own TLP markings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from jisp.core import policy
from jisp.core.choices import TLP, Audience
from jisp.core.models import Organisation, Sector, User
from jisp.intel import misp
from jisp.intel.models import ImportRun
from jisp.intel.services.indicators import source_for
from jisp.intel.stix.importer import IngestContext, import_bundle

#: The sharing of an import when the person does not choose: the centre only, TLP:AMBER.
DEFAULT_TLP = TLP.AMBER
DEFAULT_AUDIENCE = Audience.CENTRE


def context(
    user: User,
    *,
    tlp: str = DEFAULT_TLP,
    audience: str = DEFAULT_AUDIENCE,
    sectors: Sequence[Sector] = (),
    organisations: Sequence[Organisation] = (),
    people: Sequence[User] = (),
    tlp_from_markings: bool = True,
) -> IngestContext:
    """The import context of a person of the centre's staff (PermissionDenied for others)."""
    if not policy.can_manage_intel(user):
        raise PermissionDenied(_("Only the coordination centre's staff import files."))
    return IngestContext(
        user=user,
        organisation=source_for(user),
        tlp=tlp,
        audience=audience,
        sectors=sectors,
        organisations=organisations,
        people=people,
        tlp_from_markings=tlp_from_markings,
    )


def import_stix(
    request: HttpRequest | None, user: User, fileobj: IO[bytes], *, name: str = "", **sharing: Any
) -> ImportRun:
    """Import a STIX 2.1 bundle file (streamed; any size). ``ImportFailed`` when fatal."""
    return import_bundle(fileobj, context(user, **sharing), name=name, request=request)


def import_misp(
    request: HttpRequest | None, user: User, data_or_fileobj: Any, *, name: str = "",
    **sharing: Any,
) -> ImportRun:  # fmt: skip
    """Import MISP JSON events. ``ImportFailed`` when the file is malformed."""
    return misp.import_misp_event(
        data_or_fileobj, context(user, **sharing), name=name, request=request
    )


def import_misp_feed(
    request: HttpRequest | None, user: User, folder: Path, **sharing: Any
) -> ImportRun:
    """Import a MISP feed folder (manifest.json and the events it lists)."""
    return misp.import_misp_feed(folder, context(user, **sharing), request=request)
