"""Reading STIX 2.1 objects into the store: ``ingest`` (TAXII POST, MISP) and ``import_bundle``.

``ingest`` takes objects already parsed (dicts), checks each one cheaply by hand (the ``stix2``
library is far too slow for feeds of millions of objects), and stores every new version as a
``StixObject`` row, in batches of ``BATCH`` with a handful of queries per batch. A bad object is a
failure with a message; the others go on (TAXII semantics). The same version (id and modified)
sent twice is stored once and counts as a success. An ``indicator`` whose pattern is one
comparison of a value JISP knows (``stix.objects.parse_pattern``) also becomes, or updates, an
``Indicator`` of the importing organisation.

``import_bundle`` streams a bundle file with ijson (the C backend) over ``objects.item``: memory
stays bounded whatever the file size (one batch of objects, and no object may exceed
``MAX_OBJECT_BYTES`` of JSON). The whole file is one transaction: a fatal error (broken JSON
halfway, a file that is not a bundle, an oversized object) rolls everything back and the
``ImportRun`` is recorded as failed with the message.

Sharing: everything stored gets the context's TLP and audience, except that a TLP marking on an
object (``object_marking_refs`` or ``granular_markings``) raises the TLP, never lowers it. When the
raised TLP does not admit the audience (``AUDIENCES_BY_TLP``), the audience narrows: to "the
centre only" at TLP:AMBER+STRICT, to the importing person at TLP:RED.

Objects without a version of their own (SCOs, marking definitions) are versioned by ``created`` if
they have one, else by ``EPOCH``: sending them again is a duplicate, not a new version.
"""

from __future__ import annotations

import io
import queue
import re
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache, partial
from itertools import chain
from types import SimpleNamespace
from typing import IO, Any

import ijson
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from jisp.core import audit, policy
from jisp.core.bulk import gc_paused
from jisp.core.choices import AUDIENCES_BY_TLP, TLP, TLP_ORDER, Audience
from jisp.intel import indicators as values
from jisp.intel.choices import ImportFormat, ImportState
from jisp.intel.models import ImportRun, Indicator, StixObject
from jisp.intel.services.indicators import allocate_dates
from jisp.intel.stix.objects import (
    MARKING_TLP,
    dumps,
    indicator_object,
    new_indicator_id,
    parse_pattern,
    parse_timestamp,
    timestamp,
)

#: Objects written per batch (one transaction savepoint, a few queries).
BATCH = 2000
#: Longest string anywhere in an object, in characters.
MAX_STRING = 100_000
#: Largest object, as compact JSON (characters), and as read from a file (bytes).
MAX_OBJECT_CHARS = 1_000_000
MAX_OBJECT_BYTES = 1_048_576
#: Deepest nesting of lists and objects inside one object.
MAX_DEPTH = 20
#: First errors kept on an ``ImportRun``.
MAX_ERRORS = 100
#: The version of objects that have neither ``modified`` nor ``created``.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,60}[a-z0-9]$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_PROPERTY = re.compile(r"^[a-z0-9_]{3,250}$")

#: STIX Cyber-observable object types (no created / modified; spec_version optional).
SCO_TYPES = frozenset(
    [
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    ]
)

#: Every top-level property that STIX 2.1 defines for some object type; any other property must
#: be custom (``x_...``) unless the object declares a property extension.
KNOWN_PROPERTIES = frozenset(
    """
abstract account_created account_expires account_first_login account_last_login account_login
account_type additional_header_fields administrative_area aliases analysis_definition_version
analysis_ended analysis_engine_version analysis_sco_refs analysis_started
architecture_execution_envs atime authors bcc_refs belongs_to_ref belongs_to_refs body
body_multipart can_escalate_privs capabilities cc_refs child_refs city command_line confidence
configuration_version contact_information contains_refs content content_ref content_type
contents context count country cpe created created_by_ref created_time creator_user_ref
credential credential_last_changed ctime cwd date decryption_key defanged definition
definition_type description display_name dst_byte_count dst_packets dst_payload_ref dst_port
dst_ref encapsulated_by_ref encapsulates_refs encryption_algorithm end environment_variables
explanation extension_properties extension_types extensions external_references first_observed
first_seen from_ref goals granular_markings hashes host_vm_ref id identity_class image_ref
implementation_languages indicator_types infrastructure_types installed_software_refs ipfix
is_active is_disabled is_family is_hidden is_multipart is_privileged is_self_signed
is_service_account issuer key kill_chain_phases labels lang languages last_observed last_seen
latitude longitude magic_number_hex malware_types message_id mime_type modified modified_time
modules mtime name name_enc number number_observed number_of_subkeys object_marking_refs
object_modified object_ref object_refs objective objects observed_data_refs
opened_connection_refs operating_system_ref operating_system_refs opinion parent_directory_ref
parent_ref path path_enc pattern pattern_type pattern_version payload_bin personal_motivations
pid postal_code precision primary_motivation product protocols published raw_email_ref
received_lines region relationship_type report_types resolves_to_refs resource_level result
result_name revoked rir roles sample_ref sample_refs schema secondary_motivations sectors
sender_ref serial_number sighting_of_ref signature_algorithm size sophistication source_ref
spec_version src_byte_count src_packets src_payload_ref src_port src_ref start start_time
statement stop_time street_address subject subject_public_key_algorithm
subject_public_key_exponent subject_public_key_modulus submitted summary swid target_ref
threat_actor_types to_refs tool_types tool_version type url user_id valid_from valid_until
validity_not_after validity_not_before value values vendor version where_sighted_refs
x509_v3_extensions
""".split()  # noqa: SIM905
)

_INDICATOR_FIELDS = [
    "name",
    "description",
    "confidence",
    "labels",
    "valid_from",
    "valid_until",
    "revoked",
    "false_positive",
    "modified",
    "changed_at",
    "tlp",
    "audience",
]


# --- What the caller gives and gets -------------------------------------------------------------


@dataclass
class IngestContext:
    """Who imports, for which organisation, and with which sharing.

    ``sectors`` / ``organisations`` / ``people`` (instances or ids) are used for the audiences
    that need them. An object's own TLP marking raises ``tlp`` (never lowers it) when
    ``tlp_from_markings`` is true."""

    user: Any
    organisation: Any
    tlp: str
    audience: str
    sectors: Iterable[Any] = ()
    organisations: Iterable[Any] = ()
    people: Iterable[Any] = ()
    tlp_from_markings: bool = True


@dataclass
class IngestResult:
    """What became of the objects: ``successes`` (stix id, version), ``failures`` (id, version,
    message), and counts. ``unchanged`` counts versions already stored."""

    successes: list[tuple[str, str]] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    objects_read: int = 0
    indicators_added: int = 0
    unchanged: int = 0
    failure_count: int = 0


class ImportFailed(ValidationError):
    """A fatal import error: nothing was imported; ``run`` is the failed ``ImportRun``."""

    run: ImportRun | None = None


class _Invalid(Exception):
    """One object refused (the message is shown in the TAXII status / the import's errors)."""


class _TooBig(Exception):
    pass


def _pk(value: Any) -> int:
    return int(getattr(value, "pk", value))


# --- Checking one object ------------------------------------------------------------------------


def _walk(value: Any, depth: int) -> None:
    """Depth, string length and NUL characters anywhere in the object."""
    if depth > MAX_DEPTH:
        raise _Invalid(_("The object is nested too deeply."))
    if isinstance(value, str):
        if len(value) > MAX_STRING:
            raise _Invalid(
                _("A text in the object is longer than %(limit)s characters.")
                % {"limit": f"{MAX_STRING:,}"}
            )
        if "\x00" in value:
            raise _Invalid(_("The object contains a NUL character."))
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(key, depth + 1)
            _walk(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _walk(item, depth + 1)


def _time(obj: dict[str, Any], name: str) -> datetime:
    try:
        return parse_timestamp(obj[name])
    except (ValueError, TypeError):
        raise _Invalid(
            _("%(property)s is not a STIX timestamp (like 2021-07-23T11:00:00.000Z).")
            % {"property": name}
        ) from None


_TLP_RANK: dict[str, int] = {str(level): rank for rank, level in enumerate(TLP_ORDER)}


def _marking_tlp(obj: dict[str, Any]) -> str | None:
    """The highest TLP among the object's markings, if any."""
    refs = list(obj.get("object_marking_refs") or [])
    granular_markings = obj.get("granular_markings")
    if isinstance(granular_markings, list):
        for granular in granular_markings:
            if isinstance(granular, dict):
                refs.append(granular.get("marking_ref"))
    found = None
    for ref in refs:
        level = MARKING_TLP.get(ref) if isinstance(ref, str) else None
        if level is not None and (found is None or _TLP_RANK[level] > _TLP_RANK[found]):
            found = level
    return found


@dataclass(slots=True)
class _Item:
    stix_id: str
    stix_type: str
    created: datetime
    modified: datetime
    body: str
    marking_tlp: str | None
    key: tuple[str, str] | None = None
    fields: dict[str, Any] | None = None
    # Made by ``Ingester.prepare`` (in the reading thread of a file import): the sharing, the
    # version's row without its indicator and date_added, and the indicator as a new row.
    share: Any = None
    version_row: tuple[Any, ...] = ()
    indicator: SimpleNamespace | None = None

    @property
    def version(self) -> str:
        return timestamp(self.modified)


def _indicator_fields(
    obj: dict[str, Any], created: datetime
) -> tuple[tuple[str, str] | None, dict[str, Any]]:
    """The ``Indicator`` key (kind, normalised value) and fields of a STIX indicator
    (``created``: the object's, read already)."""
    for name in ("pattern", "pattern_type"):
        if not isinstance(obj.get(name), str) or not obj[name]:
            raise _Invalid(_("An indicator needs %(property)s.") % {"property": name})
    if "valid_from" not in obj:
        raise _Invalid(_("An indicator needs %(property)s.") % {"property": "valid_from"})
    valid_from = created if obj["valid_from"] == obj.get("created") else _time(obj, "valid_from")
    valid_until = _time(obj, "valid_until") if "valid_until" in obj else None
    if valid_until is not None and valid_until <= valid_from:
        raise _Invalid(_("valid_until must be later than valid_from."))
    confidence = obj.get("confidence", 50)
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int)
        or not 0 <= confidence <= 100
    ):
        raise _Invalid(_("confidence must be a whole number from 0 to 100."))
    labels = obj.get("labels", [])
    if not isinstance(labels, list):
        raise _Invalid(_("labels must be a list of texts."))
    for name in ("name", "description"):
        if name in obj and not isinstance(obj[name], str):
            raise _Invalid(_("%(property)s must be a text.") % {"property": name})
    if not isinstance(obj.get("revoked", False), bool):
        raise _Invalid(_("revoked must be true or false."))
    key = None
    if obj["pattern_type"] == "stix":
        parsed = parse_pattern(obj["pattern"])
        if parsed is not None:
            try:
                key = (parsed[0], values.normalise(*parsed))
            except ValidationError:
                key = None
    fields = {
        "name": obj.get("name", "").strip()[:200],
        "description": obj.get("description", "").strip()[:20_000],
        "confidence": confidence,
        "labels": sorted(
            {t.strip() for t in labels if isinstance(t, str) and 0 < len(t.strip()) <= 50}
        )[:20],
        "valid_from": valid_from,
        "valid_until": valid_until,
        "revoked": obj.get("revoked", False),
        "false_positive": obj.get("x_jisp_false_positive") is True,
    }
    return key, fields


def check(obj: Any) -> _Item:
    """One object checked and read, or ``_Invalid`` with the reason."""
    if not isinstance(obj, dict):
        raise _Invalid(_("Each object must be a JSON object."))
    stix_type = obj.get("type")
    if not isinstance(stix_type, str) or not _TYPE.match(stix_type):
        raise _Invalid(_("type must be a STIX type name (a-z, 0-9 and '-', 3 to 62 characters)."))
    if stix_type == "bundle":
        raise _Invalid(_("A bundle cannot contain a bundle."))
    stix_id = obj.get("id")
    if (
        not isinstance(stix_id, str)
        or not stix_id.startswith(stix_type + "--")
        or not _UUID.match(stix_id[len(stix_type) + 2 :])
    ):
        raise _Invalid(_("id must be the type, '--' and a UUID in lower case."))
    is_sco = stix_type in SCO_TYPES
    spec = obj.get("spec_version")
    if spec != "2.1" and not (is_sco and spec is None):
        raise _Invalid(_("spec_version must be 2.1."))
    if not KNOWN_PROPERTIES.issuperset(obj):
        for key in obj:
            if key not in KNOWN_PROPERTIES and not (
                isinstance(key, str) and key.startswith("x_") and _PROPERTY.match(key)
            ):
                raise _Invalid(
                    _("Unknown property %(property)s: custom properties must start with x_.")
                    % {"property": str(key)[:60]}
                )
    if "modified" in obj or not (is_sco or stix_type == "marking-definition"):
        if "created" not in obj or "modified" not in obj:
            raise _Invalid(_("The object needs created and modified."))
        created = _time(obj, "created")
        # Most objects are their first version: the same text is read once.
        modified = created if obj["modified"] == obj["created"] else _time(obj, "modified")
        if modified < created:
            raise _Invalid(_("modified cannot be before created."))
    elif "created" in obj:
        created = modified = _time(obj, "created")
    else:
        created = modified = EPOCH
    refs = obj.get("object_marking_refs", [])
    if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
        raise _Invalid(_("object_marking_refs must be a list of ids."))
    body = dumps(obj)
    # The walk is needed only when the text could hold a long string, NUL or deep nesting.
    if len(body) > MAX_STRING or "\\u0000" in body or body.count("[") + body.count("{") > MAX_DEPTH:
        _walk(obj, 0)
    if len(body) > MAX_OBJECT_CHARS:
        raise _Invalid(
            _("The object is larger than %(limit)s characters.")
            % {"limit": f"{MAX_OBJECT_CHARS:,}"}
        )
    marking = (
        _marking_tlp(obj) if "object_marking_refs" in obj or "granular_markings" in obj else None
    )
    item = _Item(stix_id, stix_type, created, modified, body, marking)
    if stix_type == "indicator":
        item.key, item.fields = _indicator_fields(obj, created)
    return item


def _label(obj: Any) -> tuple[str, str]:
    """(id, version) of an object for a failure line, as far as they can be read."""
    if not isinstance(obj, dict):
        return "", ""
    stix_id = obj.get("id")
    version = obj.get("modified") or obj.get("created") or ""
    return (
        stix_id[:100] if isinstance(stix_id, str) else "",
        version[:40] if isinstance(version, str) else "",
    )


# --- Storing batches ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sharing:
    tlp: str
    audience: str
    sectors: tuple[int, ...] = ()
    organisations: tuple[int, ...] = ()
    people: tuple[int, ...] = ()


class Ingester:
    """Collects objects and writes them a batch at a time (``add`` then ``finish``).

    ``keep`` says whether each success is listed (TAXII statuses) or only counted (files of
    millions of objects); failures are listed up to ``max_failures``."""

    def __init__(
        self, ctx: IngestContext, *, keep: bool = True, max_failures: int | None = None
    ) -> None:
        policy.validate_sharing(
            ctx.tlp, ctx.audience, sectors=ctx.sectors, organisations=ctx.organisations,
            people=ctx.people,
        )  # fmt: skip
        self.ctx = ctx
        self.keep = keep
        self.max_failures = max_failures
        self.result = IngestResult()
        self.pending: list[_Item] = []
        #: Where full batches go: written at once, or handed to a writer thread.
        self.sink: Callable[[list[_Item]], None] = self.store
        self.base = _Sharing(
            ctx.tlp,
            ctx.audience,
            tuple(sorted({_pk(s) for s in ctx.sectors}))
            if ctx.audience == Audience.SECTORS
            else (),
            tuple(sorted({_pk(o) for o in ctx.organisations}))
            if ctx.audience == Audience.ORGANISATIONS
            else (),
            tuple(sorted({_pk(p) for p in ctx.people})) if ctx.audience == Audience.PEOPLE else (),
        )
        self._sharing: dict[str | None, _Sharing] = {None: self.base}
        self.organisation_id = _pk(ctx.organisation)
        self.user_id = ctx.user.pk if ctx.user is not None else None
        #: A time as the raw inserts write it (SQLite: Django's naive UTC text, kept per batch:
        #: an object's created, modified and valid_from are often the same time).
        self.db_time: Callable[[datetime], Any] = _same
        self._times: dict[datetime, str] = {}
        self._labels: dict[tuple[str, ...], str] = {}
        self.now = timezone.now()
        if connection.vendor == "sqlite":
            self.db_time = self._sqlite_time

    def _sqlite_time(self, value: datetime) -> str:
        text = self._times.get(value)
        if text is None:
            text = self._times[value] = _sqlite_time(value)
        return text

    # The sharing of one object: the context's, raised by the object's marking.
    def sharing(self, marking: str | None) -> _Sharing:
        if not self.ctx.tlp_from_markings:
            marking = None
        if marking in self._sharing:
            return self._sharing[marking]
        assert marking is not None
        base = self.base
        if TLP_ORDER.index(TLP(marking)) <= TLP_ORDER.index(TLP(base.tlp)):
            result = base
        elif base.audience in AUDIENCES_BY_TLP[marking]:
            result = _Sharing(marking, base.audience, base.sectors, base.organisations, base.people)
        elif marking == TLP.RED:
            result = _Sharing(
                marking, Audience.PEOPLE, people=(self.user_id,) if self.user_id else ()
            )
        else:
            result = _Sharing(marking, Audience.CENTRE)
        self._sharing[marking] = result
        return result

    def fail(self, stix_id: str, version: str, message: str) -> None:
        self.result.failure_count += 1
        if self.max_failures is None or len(self.result.failures) < self.max_failures:
            self.result.failures.append((stix_id, version, message))

    def succeed(self, item: _Item) -> None:
        if self.keep:
            self.result.successes.append((item.stix_id, item.version))

    def add(self, obj: Any) -> None:
        self.result.objects_read += 1
        try:
            item = check(obj)
        except _Invalid as exc:
            self.fail(*_label(obj), str(exc))
            return
        if not self.pending:
            self.now = timezone.now()
        self.prepare(item)
        self.pending.append(item)
        if len(self.pending) >= BATCH:
            self.flush()

    def prepare(self, item: _Item) -> None:
        """What a batch's writer needs of an object and does not have to look up: its sharing,
        its version row, and its indicator's row as a new one (used if the value is new)."""
        t = self.db_time
        share = item.share = self.sharing(item.marking_tlp)
        item.version_row = (
            item.stix_id, item.stix_type, "2.1", t(item.created), t(item.modified), item.body,
            share.tlp, share.audience, self.organisation_id, self.user_id,
        )  # fmt: skip
        if item.key is None:
            return
        assert item.fields is not None
        new = item.indicator = SimpleNamespace(
            pk=None,
            kind=item.key[0],
            value=item.key[1],
            stix_id=item.stix_id,
            organisation_id=self.organisation_id,
            created_by_id=self.user_id,
            created=item.created,
            modified=item.modified,
            changed_at=self.now,
            tlp=share.tlp,
            audience=share.audience,
            malware="",
            sources=[],
            share=share,
            **item.fields,
        )
        new.row = self._indicator_row(new)

    def finish(self) -> IngestResult:
        self.flush()
        return self.result

    def flush(self) -> None:
        items, self.pending = self.pending, []
        if items:
            self.sink(items)
            self._times.clear()
            self._labels.clear()

    def store(self, items: list[_Item]) -> None:
        """Write one batch (the default ``sink``; a file import's writer thread calls it)."""
        with transaction.atomic():
            self._store(items)

    def _store(self, items: list[_Item]) -> None:
        # 1. Versions already stored (or twice in this batch) are successes, stored once.
        stored = {
            (stix_id, _from_db(modified))
            for stix_id, modified in _select_in(
                f"SELECT stix_id, modified FROM {_table(StixObject)} WHERE stix_id IN ({{}})",  # noqa: S608
                list({i.stix_id for i in items}),
            )
        }
        new: list[_Item] = []
        for item in items:
            pair = (item.stix_id, item.modified)
            if pair in stored:
                self.result.unchanged += 1
            else:
                stored.add(pair)
                new.append(item)
            self.succeed(item)
        if not new:
            return
        now = timezone.now()
        # 2. Indicators: new rows, or updates of the organisation's rows by newer objects.
        ids, touched = self._indicators(new, now)
        # 3. The STIX versions, with the indicator they belong to (rows in _VERSION_COLUMNS).
        t = self.db_time
        user = self.user_id
        versions: list[tuple[tuple[Any, ...], _Sharing]] = [
            ((*item.version_row, ids.get(item.key) if item.key else None), item.share)
            for item in new
        ]
        # An indicator changed by an object of another id also gets a version of its own object.
        own = {(i.stix_id, i.modified) for i in new}
        for indicator, share in touched:
            if (indicator.stix_id, indicator.modified) in own:
                continue
            own.add((indicator.stix_id, indicator.modified))
            row = (
                indicator.stix_id,
                "indicator",
                "2.1",
                t(indicator.created),
                t(indicator.modified),
                dumps(indicator_object(indicator)),
                indicator.tlp,
                indicator.audience,
                indicator.organisation_id,
                user,
                indicator.pk,
            )
            versions.append((row, share))
        self._insert_versions(versions)
        if touched:
            # One signal per batch (its receiver enqueues one task), once the import commits.
            pks = [indicator.pk for indicator, _share in touched]
            transaction.on_commit(lambda: _announce(pks))

    def _insert_versions(self, versions: list[tuple[tuple[Any, ...], _Sharing]]) -> None:
        """Insert with fresh ``date_added`` values; retried when a concurrent writer took them."""
        for attempt in range(5):
            try:
                with transaction.atomic():
                    dates = allocate_dates(len(versions))
                    t = self.db_time
                    _insert(
                        StixObject,
                        _VERSION_COLUMNS,
                        [
                            (*row, t(added))
                            for (row, _s), added in zip(versions, dates, strict=True)
                        ],
                    )
                    listed = [
                        (added, share)
                        for (_row, share), added in zip(versions, dates, strict=True)
                        if _has_lists(share)
                    ]
                    if listed:
                        pks = dict(
                            StixObject.objects.filter(
                                date_added__gte=dates[0], date_added__lte=dates[-1]
                            ).values_list("date_added", "pk")
                        )
                        _add_lists(StixObject, [(pks[added], s) for added, s in listed])
                    return
            except IntegrityError:
                if attempt == 4:
                    raise

    def _indicators(
        self, items: list[_Item], now: datetime
    ) -> tuple[dict[tuple[str, str], int], list[tuple[Any, _Sharing]]]:
        """Create and update the organisation's indicators; their ids by key, and the rows
        created or changed (with the sharing their audience lists need)."""
        keyed = [i for i in items if i.key is not None]
        if not keyed:
            return {}, []
        rows: dict[tuple[str, str], Any] = {}
        keys = {i.key for i in keyed if i.key}
        # By value alone, on the index by value: with the organisation or the kind in the
        # condition, the planners (SQLite always, PostgreSQL without statistics of the rows being
        # imported) pick their indexes and scan all of the organisation's or kind's rows.
        found_ids = [
            pk
            for pk, kind, value in _select_in(
                f"SELECT id, kind, value FROM {_table(Indicator)} "  # noqa: S608
                f"WHERE organisation_id + 0 = {int(self.organisation_id)} AND value IN ({{}})",
                list({value for _kind, value in keys}),
            )
            if (kind, value) in keys
        ]
        if found_ids:
            for indicator in Indicator.objects.filter(pk__in=found_ids):
                rows[(indicator.kind, indicator.value)] = indicator
        taken = {
            stix_id
            for (stix_id,) in _select_in(
                f"SELECT stix_id FROM {_table(Indicator)} WHERE stix_id IN ({{}})",  # noqa: S608
                list({i.stix_id for i in keyed if i.key not in rows}),
            )
        }
        created: dict[tuple[str, str], SimpleNamespace] = {}
        changed: dict[int, Indicator] = {}
        moved: dict[int, _Sharing] = {}
        for item in keyed:
            assert item.key is not None
            assert item.fields is not None
            share = item.share
            found = rows.get(item.key)
            if found is None:
                new = item.indicator
                assert new is not None
                if new.stix_id in taken:
                    new.stix_id, new.row = new_indicator_id(), None
                taken.add(new.stix_id)
                rows[item.key] = created[item.key] = new
                continue
            if item.modified <= found.modified:
                continue
            if not isinstance(found, Indicator):
                found.row = None  # a second object of a value new in this batch
            for name, value in item.fields.items():
                setattr(found, name, value)
            found.modified = item.modified
            found.changed_at = now
            if _TLP_RANK[share.tlp] > _TLP_RANK[found.tlp]:
                # A marking raised the TLP: the row follows (never the other way).
                found.tlp = share.tlp
                narrowed = found.audience not in AUDIENCES_BY_TLP[share.tlp]
                if narrowed:
                    found.audience = share.audience
                if isinstance(found, Indicator):
                    if narrowed:
                        moved[found.pk] = share
                else:
                    found.share = share if narrowed else replace(found.share, tlp=share.tlp)
            if isinstance(found, Indicator):
                changed[found.pk] = found
        touched: list[tuple[Any, _Sharing]] = []
        if created:
            self.result.indicators_added += len(created)
            fresh = list(created.values())
            # Ids reserved before the insert, not read back after it (2,000 rows a batch
            # fetched one SQLite step each, the GIL handed back and forth for each row:
            # 15 microseconds an object at 1,000,000).
            for new, pk in zip(fresh, reserve_ids(Indicator, len(fresh)), strict=True):
                new.pk = pk
                touched.append((new, new.share))
            self._insert_indicators(fresh)
            _add_lists(Indicator, [(r.pk, r.share) for r in fresh if _has_lists(r.share)])
        if changed:
            Indicator.objects.bulk_update(list(changed.values()), _INDICATOR_FIELDS)
            _add_lists(Indicator, list(moved.items()), ignore=True)
            touched.extend(
                (row, moved.get(row.pk, _Sharing(row.tlp, row.audience)))
                for row in changed.values()
            )
        return {key: row.pk for key, row in rows.items()}, touched

    def _insert_indicators(self, created: list[SimpleNamespace]) -> None:
        """New ``Indicator`` rows with their reserved ids (each row prepared by ``prepare``
        unless changed since)."""
        _insert(
            Indicator,
            ("id", *_NEW_INDICATOR_COLUMNS),
            [(r.pk, *(r.row if r.row is not None else self._indicator_row(r))) for r in created],
        )

    def _indicator_row(self, r: SimpleNamespace) -> tuple[Any, ...]:
        """A new indicator's values in ``_NEW_INDICATOR_COLUMNS``."""
        t = self.db_time
        labels = tuple(r.labels)
        labels_json = self._labels.get(labels)
        if labels_json is None:
            labels_json = self._labels[labels] = dumps(list(labels))
        return (
            r.kind,
            r.value,
            r.stix_id,
            r.organisation_id,
            r.created_by_id,
            r.tlp,
            r.audience,
            r.name,
            r.description,
            r.confidence,
            labels_json,
            t(r.valid_from),
            t(r.valid_until) if r.valid_until is not None else None,
            r.revoked,
            r.false_positive,
            t(r.created),
            t(r.modified),
            t(r.changed_at),
            r.malware,
            dumps(r.sources) if r.sources else "[]",
        )


#: The columns of the raw inserts, in the order of the rows' values (other columns: default).
_VERSION_COLUMNS = (
    "stix_id",
    "stix_type",
    "spec_version",
    "created",
    "modified",
    "body",
    "tlp",
    "audience",
    "organisation_id",
    "created_by_id",
    "indicator_id",
    "date_added",
)
_NEW_INDICATOR_COLUMNS = (
    "kind",
    "value",
    "stix_id",
    "organisation_id",
    "created_by_id",
    "tlp",
    "audience",
    "name",
    "description",
    "confidence",
    "labels",
    "valid_from",
    "valid_until",
    "revoked",
    "false_positive",
    "created",
    "modified",
    "changed_at",
    "malware",
    "sources",
)


def reserve_ids(model: Any, count: int) -> range | list[int]:
    """``count`` new primary keys of ``model``'s table, never used before and taken by no other
    writer: on SQLite a range of its ``AUTOINCREMENT`` counter, moved on in one write (which
    also takes the database's write lock, so no other connection inserts until the commit);
    on PostgreSQL values of the column's sequence."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), model._meta.pk.column, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        assert connection.vendor == "sqlite"
        run = partial(sqlite3.Cursor.execute, cursor.cursor)
        latest = f"SELECT MAX(n) FROM (SELECT seq AS n FROM sqlite_sequence WHERE name = ? UNION ALL SELECT MAX(rowid) FROM {_table(model)})"  # noqa: S608, E501
        (last,) = run(latest, [table]).fetchone()
        last = int(last or 0)
        moved = run("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", [last + count, table])
        if moved.rowcount == 0:  # no row inserted into the table yet: no counter either
            run("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [table, last + count])
        return range(last + 1, last + count + 1)


def _has_lists(share: _Sharing) -> bool:
    return bool(share.sectors or share.organisations or share.people)


def _insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of database values (times as ``Ingester.db_time`` gives them, JSON as text)
    with one ``executemany`` on SQLite, one ``COPY`` on PostgreSQL (Django's bulk_create makes
    one statement per ~40 rows on SQLite and prepares each value by hand: 10 times slower
    here). The model's other columns take their default."""
    ops = connection.ops
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    rest = [
        f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in columns
    ]
    tail = tuple(
        dumps(f.get_default())
        if isinstance(f, JSONField)
        else f.get_db_prep_save(f.get_default(), connection)
        for f in rest
    )
    names = ", ".join(ops.quote_name(by_name[c].column) for c in columns)
    if rest:
        names += ", " + ", ".join(ops.quote_name(f.column) for f in rest)
        rows = [row + tail for row in rows]
    table = ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: one stream for the batch (executemany sends one statement per row).
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                types = [_copy_type(by_name[c].db_type(connection)) for c in columns]
                types += [_copy_type(f.db_type(connection)) for f in rest]
                if None not in types:
                    copy.set_types(types)  # no look-up of each value's type
                write = copy.write_row
                for row in rows:
                    write(row)
        else:
            _insert_sqlite(cursor.cursor, table, names, len(columns) + len(rest), rows)


#: Rows per multi-row INSERT on SQLite.
SQLITE_ROWS = 500


def _insert_sqlite(cursor: Any, table: str, names: str, width: int, rows: list[Any]) -> None:
    """Rows inserted by multi-row ``INSERT ... VALUES`` statements of ``SQLITE_ROWS`` rows.

    Python's sqlite3 releases the GIL while SQLite runs a statement, not while it binds the
    values: ``executemany`` (one step per row) hands the GIL back and forth with the reading
    thread for each row, which then waits its turn; one step per 500 rows lets SQLite update its
    B-trees while the reading thread parses. (``cursor``: Django's wrapper's own sqlite3 cursor,
    run without its conversion of ``%s`` marks.)"""
    one = "(" + ", ".join(["?"] * width) + ")"
    for start in range(0, len(rows), SQLITE_ROWS):
        chunk = rows[start : start + SQLITE_ROWS]
        sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([one] * len(chunk))  # noqa: S608
        sqlite3.Cursor.execute(cursor, sql, list(chain.from_iterable(chunk)))


@cache
def _copy_type(db_type: str) -> str | None:
    """The type ``COPY`` sends a column's values as (JSON as its text), None if unknown."""
    if db_type.startswith(("varchar", "text", "jsonb")):
        return "text"
    return {
        "timestamp with time zone": "timestamptz",
        "bigint": "int8",
        "integer": "int4",
        "smallint": "int2",
        "boolean": "bool",
    }.get(db_type)


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _select_in(sql: str, values: list[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` whose ``{}`` is filled with one placeholder per value (raw: Django's
    ``__in`` costs ~10 ms per 2,000 values in Python)."""
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One JSON text parameter: PostgreSQL parses and plans 2,000 constants far slower,
            # and psycopg quotes a list parameter element by element in Python.
            assert sql.count(" IN ({})") == 1
            in_json = " = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))"
            cursor.execute(sql.replace(" IN ({})", in_json), [dumps(values)])
            return list(cursor.fetchall())
        # SQLite's own marks, run by sqlite3 itself (Django's wrapper rewrites 2,000 "%s"
        # marks with a regular expression).
        sql = sql.format(", ".join(["?"] * len(values)))
        return sqlite3.Cursor.execute(cursor.cursor, sql, values).fetchall()


def _from_db(value: Any) -> datetime:
    """A time column read by a raw query (naive UTC or text on SQLite) as an aware time."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _sqlite_time(value: datetime) -> str:
    """What Django stores in SQLite for an aware time (naive UTC text), without its checks."""
    if value.tzinfo is UTC:
        return value.isoformat(" ")[:-6]  # "+00:00" off: str() of the naive time
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _same(value: datetime) -> datetime:
    return value


def _add_lists(model: Any, rows: list[tuple[int, _Sharing]], *, ignore: bool = False) -> None:
    """The audience lists (sectors, organisations, people) of freshly written rows."""
    for name, attr in (
        ("audience_sectors", "sectors"),
        ("audience_organisations", "organisations"),
        ("audience_people", "people"),
    ):
        m2m = model._meta.get_field(name)
        through = m2m.remote_field.through
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        links = [
            through(**{f"{source}_id": pk, f"{target}_id": other})
            for pk, share in rows
            for other in getattr(share, attr)
        ]
        if links:
            through.objects.bulk_create(links, ignore_conflicts=ignore)


def _announce(ids: list[int]) -> None:
    from jisp.intel.signals import indicator_shared

    indicator_shared.send(sender=Indicator, indicator_ids=ids)


def ingest(objects: Iterable[Any], ctx: IngestContext) -> IngestResult:
    """Check and store ``objects`` (TAXII POST semantics: bad ones fail, the others go on).

    Raises ``ValidationError`` only when the context's sharing is not admitted. Each batch is
    its own transaction (savepoint); wrap the call in ``transaction.atomic`` for all or nothing.
    Checking rights is the caller's job."""
    ingester = Ingester(ctx)
    for obj in objects:
        ingester.add(obj)
    return ingester.finish()


# --- Streaming a bundle file ------------------------------------------------------------------


class _Guarded:
    """A binary file read by ijson: replays the bytes peeked at, and refuses files where more
    than ``MAX_OBJECT_BYTES`` pass without a complete object (a huge object or string)."""

    CHUNK = 65_536

    def __init__(self, fileobj: IO[bytes], head: bytes) -> None:
        self.fileobj = fileobj
        self.head = head
        self.since_item = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:
            return b""
        size = self.CHUNK if size is None or size < 0 else size
        if self.head:
            data, self.head = self.head[:size], self.head[size:]
        else:
            data = self.fileobj.read(size)
            if isinstance(data, str):
                data = data.encode()
        self.since_item += len(data)
        if self.since_item > MAX_OBJECT_BYTES + self.CHUNK:
            raise _TooBig
        return data


@dataclass
class _Root:
    """What the bundle's top level says (read from the events of its first bytes, or of all)."""

    values: dict[str, Any] = field(default_factory=dict)
    objects: str = ""  # "", "list" or "other"
    complete: bool = False


def _read_root(events: Iterator[tuple[str, str, Any]], root: _Root) -> None:
    """Fill ``root`` from parse events; stops early once type, id and the objects list are
    known. Raises ijson errors for broken JSON (the caller decides if that was the end of a
    peek)."""
    first = next(events, None)
    if first is None:
        raise ValidationError(_("The file is empty."))
    if first[:2] != ("", "start_map"):
        raise ValidationError(_("This is not a STIX bundle: the file must be one JSON object."))
    key = None
    for prefix, event, value in events:
        if prefix == "" and event == "map_key":
            key = value
        elif prefix == "" and event == "end_map":
            root.complete = True
            return
        elif key is not None and prefix == key and key not in root.values:
            if event in ("start_map", "start_array"):
                root.values[key] = (event,)
                if key == "objects":
                    root.objects = "list" if event == "start_array" else "other"
            elif event in ("string", "number", "boolean", "null", "integer", "double"):
                root.values[key] = value
                if key == "objects":
                    root.objects = "other"
        if root.objects and "type" in root.values and "id" in root.values:
            root.complete = True
            return


def _check_root(root: _Root) -> None:
    kind = root.values.get("type")
    if kind != "bundle":
        raise ValidationError(_('This is not a STIX bundle: its type must be "bundle".'))
    if root.values.get("spec_version") not in (None, "2.1"):
        raise ValidationError(_("Only STIX 2.1 bundles can be imported."))
    bundle_id = root.values.get("id")
    if not isinstance(bundle_id, str) or not (
        bundle_id.startswith("bundle--") and _UUID.match(bundle_id[8:])
    ):
        raise ValidationError(_("The bundle's id must be 'bundle--' and a UUID."))
    if root.objects == "other":
        raise ValidationError(_("The bundle's objects must be a list."))


def _json_error(exc: Exception) -> ValidationError:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return ValidationError(
        _("The file is not valid JSON: %(error)s") % {"error": detail or _("it ends too early")}
    )


def _peek_root(head: bytes) -> _Root:
    root = _Root()
    try:
        _read_root(ijson.parse(io.BytesIO(head)), root)
    except ijson.IncompleteJSONError:
        if len(head) < _Guarded.CHUNK * 4:
            raise  # the whole file was read: it is broken
    except ijson.JSONError as exc:
        raise _json_error(exc) from None
    return root


def _read_head(fileobj: IO[bytes], size: int) -> bytes:
    """The first ``size`` bytes (fewer only at the end of the file)."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        data = fileobj.read(left)
        if not data:
            break
        parts.append(data.encode() if isinstance(data, str) else data)
        left -= len(parts[-1])
    return b"".join(parts)


def _stream(fileobj: IO[bytes], ingester: Ingester) -> None:
    """Read the bundle and hand each object to ``ingester``; ValidationError when fatal."""
    head = _read_head(fileobj, _Guarded.CHUNK * 4)
    if not head.strip():
        raise ValidationError(_("The file is empty."))
    try:
        root = _peek_root(head)
    except ijson.JSONError as exc:
        raise _json_error(exc) from None
    if root.complete or "type" in root.values:
        _check_root(root)
    guarded = _Guarded(fileobj, head)
    try:
        for obj in ijson.items(guarded, "objects.item", use_float=True):
            guarded.since_item = 0
            ingester.add(obj)
    except _TooBig:
        raise ValidationError(
            _("An object in the file is larger than %(limit)s bytes: the file was refused.")
            % {"limit": f"{MAX_OBJECT_BYTES:,}"}
        ) from None
    except ijson.JSONError as exc:
        raise _json_error(exc) from None
    if not root.complete:
        # "type" or "id" came after the objects: read the top level again from the start.
        if not getattr(fileobj, "seekable", lambda: False)():
            raise ValidationError(_("Put the bundle's type and id before its objects."))
        fileobj.seek(0)
        root = _Root()
        try:
            _read_root(ijson.parse(fileobj), root)
        except ijson.JSONError as exc:
            raise _json_error(exc) from None
    _check_root(root)


#: SQLite page cache during a file import, in KiB (the default, 2 MiB, holds too little of the
#: indexes that every insert updates at random places; PostgreSQL has its own shared buffers).
IMPORT_CACHE_KIB = 65_536


@contextmanager
def _bulk_settings() -> Iterator[None]:
    """Settings of this connection while a file is imported (inside its transaction), then the
    ones before.

    SQLite: a larger page cache (memory bounded by ``IMPORT_CACHE_KIB``). PostgreSQL: no
    sequential scans: the tables grow by the import itself, uncommitted, so their statistics
    (of an empty store, say) would make every lookup of a batch scan the whole table."""
    if connection.vendor == "sqlite":
        get, put = "PRAGMA cache_size", "PRAGMA cache_size = {}"
        value = f"-{int(IMPORT_CACHE_KIB)}"
    elif connection.vendor == "postgresql":
        get = "SELECT current_setting('enable_seqscan')"
        put = "SELECT set_config('enable_seqscan', '{}', true)"
        value = "off"
    else:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(get)
        (before,) = cursor.fetchone()
        cursor.execute(put.format(value))
    restore = put.format(str(before).replace("'", ""))
    try:
        yield
    except BaseException:
        # PostgreSQL's setting is local: the rollback undoes it (and its aborted transaction
        # would refuse the statement).
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(restore)
        raise
    with connection.cursor() as cursor:
        cursor.execute(restore)


def import_bundle(
    fileobj: IO[bytes],
    ctx: IngestContext,
    *,
    name: str = "",
    request: HttpRequest | None = None,
) -> ImportRun:
    """Import a STIX 2.1 bundle file, all or nothing; the centre's staff only.

    Returns the finished ``ImportRun`` (objects that failed their checks are in its ``errors``,
    the first ``MAX_ERRORS``). A fatal error raises ``ImportFailed`` (a ``ValidationError``)
    after recording the run as failed; nothing of the file is kept."""
    if not policy.can_manage_intel(ctx.user):
        raise PermissionDenied(_("Only the coordination centre's staff import files."))
    ingester = Ingester(ctx, keep=False, max_failures=MAX_ERRORS)
    run = ImportRun.objects.create(
        format=ImportFormat.STIX,
        name=name[:255],
        organisation_id=_pk(ctx.organisation),
        created_by=ctx.user,
    )
    try:
        with gc_paused():
            if connection.in_atomic_block or connection.vendor not in ("sqlite", "postgresql"):
                # Inside the caller's transaction (the tests' own, say): one thread.
                with transaction.atomic(), _bulk_settings():
                    _stream(fileobj, ingester)
                    ingester.finish()
            else:
                _stream_to_writer(fileobj, ingester)
    except ValidationError as exc:
        raise failed_run(run, exc, ctx, request, "intel.import.stix") from None
    return finish_run(run, ingester.result, ctx, request, "intel.import.stix")


class _Abort(Exception):
    """The reading thread gave up: the writer rolls the import back."""


class _Writer(threading.Thread):
    """Writes the batches of a file import in one transaction on its own connection, while the
    calling thread reads and checks the next ones: the database's work (SQLite's B-trees, or
    PostgreSQL's process) runs without the GIL, beside the parsing (~1.6x on two cores).

    At most ``DEPTH`` batches wait in the queue (memory stays bounded). ``None`` ends the import
    (commit), ``_ABORT`` rolls it back; after an error the writer only drains the queue."""

    DEPTH = 2

    def __init__(self, store: Callable[[list[_Item]], None]) -> None:
        super().__init__(name="jisp-stix-import-writer", daemon=True)
        self.store = store
        self.batches: queue.Queue[list[_Item] | str | None] = queue.Queue(maxsize=self.DEPTH)
        self.error: BaseException | None = None

    def run(self) -> None:
        ended = False  # the reader's last word (None or _ABORT) was read
        try:
            with transaction.atomic(), _bulk_settings():
                while (batch := self.batches.get()) is not None:
                    if isinstance(batch, str):  # _ABORT
                        ended = True
                        raise _Abort
                    self.store(batch)
                ended = True
        except BaseException as exc:  # handed to the reading thread
            self.error = exc
            while not ended:
                ended = not isinstance(self.batches.get(), list)  # the reader stops soon
        finally:
            connection.close()  # this thread's own connection

    def put(self, batch: list[_Item]) -> None:
        if self.error is not None:
            raise _Abort
        self.batches.put(batch)


_ABORT = "abort"


class _QuickHandover:
    """Python's switch interval shortened while file imports run (then restored).

    After each statement the writer thread needs the GIL back, and the reading thread, busy
    parsing, holds it until the interval (5 ms by default) asks it to let go: a dozen statements
    a batch made the writer wait ~20 microseconds an object (measured: 10,500 to 11,500
    objects/s at 1,000,000 on SQLite, 9,600 to 10,300 on PostgreSQL). The setting is the
    process's: kept short while any import runs."""

    SECONDS = 0.0005

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.before = sys.getswitchinterval()

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if not self.running:
                self.before = sys.getswitchinterval()
                sys.setswitchinterval(min(self.before, self.SECONDS))
            self.running += 1
        try:
            yield
        finally:
            with self.lock:
                self.running -= 1
                if not self.running:
                    sys.setswitchinterval(self.before)


_quick_handover = _QuickHandover()


def _stream_to_writer(fileobj: IO[bytes], ingester: Ingester) -> None:
    """``_stream`` with the batches written by a ``_Writer`` (see there), all or nothing."""
    writer = _Writer(ingester.store)
    ingester.sink = writer.put
    done = False
    with _quick_handover():
        writer.start()
        try:
            _stream(fileobj, ingester)
            ingester.flush()
            done = True
        except _Abort:
            pass  # the writer failed: its error is raised below
        finally:
            writer.batches.put(None if done else _ABORT)
            writer.join()
    if writer.error is not None and not isinstance(writer.error, _Abort):
        raise writer.error


def finish_run(
    run: ImportRun,
    result: IngestResult,
    ctx: IngestContext,
    request: HttpRequest | None,
    action: str,
) -> ImportRun:
    """Record the counts and the first errors of a finished import, and audit it."""
    run.state = ImportState.DONE
    run.objects_read = result.objects_read
    run.indicators_added = result.indicators_added
    run.unchanged = result.unchanged
    run.errors = [
        {"id": stix_id, "version": version, "message": message}
        for stix_id, version, message in result.failures[:MAX_ERRORS]
    ]
    run.finished_at = timezone.now()
    run.save()
    audit.record(
        action,
        request=request,
        actor=ctx.user,
        obj=run,
        tlp=ctx.tlp,
        objects=run.objects_read,
        added=run.indicators_added,
        unchanged=run.unchanged,
        failed=result.failure_count,
    )
    return run


def failed_run(
    run: ImportRun,
    exc: ValidationError,
    ctx: IngestContext,
    request: HttpRequest | None,
    action: str,
) -> ImportFailed:
    """Record a run as failed (after its transaction rolled back) and audit it; the error to
    raise."""
    message = " ".join(exc.messages)
    run.state = ImportState.FAILED
    run.errors = [{"id": "", "version": "", "message": message}]
    run.finished_at = timezone.now()
    run.save()
    audit.record(action, request=request, actor=ctx.user, obj=run, tlp=ctx.tlp, failed=message)
    error = ImportFailed(message)
    error.run = run
    return error
