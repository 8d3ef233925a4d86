"""Threat-intelligence benchmark data: STIX 2.1 bundle files, the people who read them, and the store.

    .venv/bin/python bench/intel_data.py [--backend sqlite|postgres] [--fresh] [--indicators N]

Three things, all kept between runs:

* **bundle files** in bench/out/ (``intel-bundle-<N>.json``, written once, about 600 bytes an
  indicator): a STIX 2.1 bundle of one ``identity`` (the feed's producer) and N ``indicator``
  objects, a quarter each IPv4 addresses, domain names, URLs and SHA-256 file hashes
  (``[ipv4-addr:value = '...']``, ``[domain-name:value = '...']``, ``[url:value = '...']``,
  ``[file:hashes.'SHA-256' = '...']``), with a name, one to three labels, a confidence, a
  ``valid_from`` over the last 90 days (``valid_until`` on one in ten, always in the future), a
  description on one in five, ``created_by_ref`` and a TLP:GREEN marking (TLP 1.0 or 2.0 id;
  TLP:CLEAR on one in ten). ``intel-small-<n>.json`` is the bundle served side by side with
  medallion: other ids and values, all TLP:CLEAR. Ids are UUIDv4 from a seeded generator, values
  unique and public-looking (addresses in ten public /8 networks), so the files are the same
  from run to run;
* **the foundation's organisations and people** (``data.generate``: 10,000 organisations,
  100,000 people, 100 centre staff in every centre role), in bench/out/bench_intel.sqlite3 or the
  PostgreSQL database jisp_bench_intel, and the standard TAXII collections
  (``ensure_default_collections``);
* **the store** (``Indicator`` and ``StixObject`` rows), filled by ``bench_intel.py``'s import
  measurement through the product's importer (``jisp.intel.stix.importer.import_bundle``), not by
  SQL: the import *is* the measurement. ``clear_store`` empties it first.

``value(i)`` gives indicator i's (kind, value) without reading the file: ``bench_intel.py`` uses it
for the values to match (i < N known, i >= N unknown).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import data

NAME = "bench_intel"
DB_NAME = "jisp_bench_intel"
INDICATORS = 1_000_000
SMALL = 10_000
#: Index of the first indicator of the small (medallion) bundle: other values than the big one's.
SMALL_OFFSET = 50_000_000
SEED = 20_260_601
#: The files' time: valid_from and created over the 90 days before it.
BUNDLE_TIME = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)

TLP1_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
TLP2_GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
TLP1_CLEAR = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
TLP2_CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
PRODUCER = "identity--5d3c2e9a-8b1f-4c6e-9a2d-7f0e1b3c4d5e"

NETWORKS = [45, 91, 103, 146, 185, 193, 194, 195, 212, 217]
WORDS = ["secure", "login", "update", "account", "verify", "cdn", "mail", "portal", "cloud",
         "ticket", "pay", "support", "auth", "service", "online", "sync", "shop", "live"]  # fmt: skip
TLDS = ["com", "net", "org", "xyz", "top", "info", "ru", "cn", "online", "site", "live", "shop"]
PATHS = ["wp-content/plugins", "admin", "login", "images", "files/upload", "api/v1", "gate",
         "panel", "download", "js"]  # fmt: skip
LABELS = ["phishing", "c2", "malware", "botnet", "scanner", "ransomware", "emotet", "cobalt-strike",
          "credential-theft", "ddos", "spam", "exploit"]  # fmt: skip
NAMES = {
    "ipv4": "C2 server {v}",
    "domain": "Phishing domain {v}",
    "url": "Malware download URL",
    "sha256": "Malicious file (loader)",
}


def url(backend: str) -> str:
    return common.data_set_url(backend, NAME, DB_NAME)


def reset_database(backend: str) -> None:
    common.drop_data_set(backend, NAME, DB_NAME)


def setup(backend: str) -> None:
    """Start Django on the intel benchmark database (created and migrated if needed)."""
    common.setup_data_set(backend, NAME, DB_NAME)


# --- Values and bundle files (no Django needed) -----------------------------------------------


def value(i: int) -> tuple[str, str]:
    """(kind, value) of indicator ``i``: unique for every i >= 0, already in normal form."""
    kind = ("ipv4", "domain", "url", "sha256")[i % 4]
    k = i // 4
    if kind == "ipv4":
        rest = k // len(NETWORKS) + 256  # never x.0.0.y
        return (
            kind,
            f"{NETWORKS[k % len(NETWORKS)]}.{rest >> 16 & 255}.{rest >> 8 & 255}.{rest & 255}",
        )
    word = f"{WORDS[k % len(WORDS)]}-{WORDS[(k // len(WORDS)) % len(WORDS)]}{k:x}"
    if kind == "domain":
        return kind, f"{word}.{TLDS[k % len(TLDS)]}"
    if kind == "url":
        host = f"{WORDS[(k + 5) % len(WORDS)]}{k:x}.{TLDS[(k + 3) % len(TLDS)]}"
        return kind, f"http://{host}/{PATHS[k % len(PATHS)]}/{k % 997}.php"
    return kind, hashlib.sha256(f"bench-intel-{i}".encode()).hexdigest()


def pattern(kind: str, text: str) -> str:
    path = {
        "ipv4": "ipv4-addr:value",
        "domain": "domain-name:value",
        "url": "url:value",
        "sha256": "file:hashes.'SHA-256'",
    }[kind]
    return f"[{path} = '{text}']"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def indicator(i: int, rng: random.Random, *, clear: bool = False) -> dict[str, Any]:
    """The STIX indicator of value ``i`` (``rng`` gives its id and the rest)."""
    kind, text = value(i)
    created = BUNDLE_TIME - timedelta(seconds=rng.randrange(90 * 86400))
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
        "created": _ts(created),
        "modified": _ts(created),
        "created_by_ref": PRODUCER,
        "name": NAMES[kind].format(v=text),
        "indicator_types": ["malicious-activity"],
        "pattern": pattern(kind, text),
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": _ts(created),
        "labels": rng.sample(LABELS, 1 + i % 3),
        "confidence": 30 + rng.randrange(70),
    }
    if i % 10 == 3:
        obj["valid_until"] = _ts(BUNDLE_TIME + timedelta(days=3650 + i % 365))
    if i % 5 == 1:
        obj["description"] = (
            f"Observed in a campaign against the {LABELS[i % len(LABELS)]} sector; "
            "block at the perimeter and search logs of the last 30 days."
        )
    if clear or i % 10 == 7:
        obj["object_marking_refs"] = [TLP2_CLEAR if i % 2 else TLP1_CLEAR]
    else:
        obj["object_marking_refs"] = [TLP2_GREEN if i % 3 else TLP1_GREEN]
    return obj


def producer() -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": PRODUCER,
        "created": "2024-04-01T00:00:00.000Z",
        "modified": "2024-04-01T00:00:00.000Z",
        "name": "Bench Threat Feed",
        "identity_class": "organization",
    }


def objects(count: int, offset: int = 0, *, clear: bool = False) -> Any:
    """The bundle's objects, in file order: the producer, then ``count`` indicators."""
    rng = random.Random(SEED + offset)
    yield producer()
    for i in range(offset, offset + count):
        yield indicator(i, rng, clear=clear)


def bundle_path(count: int, *, small: bool = False) -> Path:
    return common.OUT / (f"intel-small-{count}.json" if small else f"intel-bundle-{count}.json")


def write_bundle(count: int, *, small: bool = False) -> tuple[Path, float]:
    """Write the bundle file if it is not there yet: (path, seconds spent writing)."""
    path = bundle_path(count, small=small)
    if path.exists():
        return path, 0.0
    started = time.perf_counter()
    common.OUT.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    rng = random.Random(SEED - count)
    bundle_id = f"bundle--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
    with partial.open("w", encoding="utf-8") as out:
        out.write(f'{{"type": "bundle", "id": "{bundle_id}", "objects": [\n')
        first = True
        offset = SMALL_OFFSET if small else 0
        for obj in objects(count, offset, clear=small):
            out.write(("" if first else ",\n") + json.dumps(obj, separators=(",", ":")))
            first = False
        out.write("\n]}\n")
    partial.rename(path)
    return path, time.perf_counter() - started


# --- The people and the collections ----------------------------------------------------------


def people() -> dict[str, Any]:
    """The centre's analyst (imports, pages TAXII) and the benchmarked member (pulls feeds)."""
    from jisp.core.choices import OrganisationCategory as Cat
    from jisp.core.choices import Role
    from jisp.core.models import Membership, Organisation, User

    centre = Organisation.objects.get(category=Cat.CENTRE)
    analyst = (
        Membership.objects.filter(organisation=centre, role=Role.ANALYST)
        .order_by("user_id")
        .first()
    )
    if analyst is None:
        raise SystemExit("no analyst in the centre: rebuild the data set (--fresh)")
    return {
        "centre": centre,
        "analyst": User.objects.get(pk=analyst.user_id),
        "member": User.objects.get(email=data.MEMBER_EMAIL),
    }


def token(user: Any, scope: str = "read") -> str:
    """A new API token of ``user`` (its secret)."""
    from jisp.core.services import accounts

    _token, secret = accounts.create_api_token(None, user, "bench intel", scope, 1)
    return secret


def collections() -> None:
    from jisp.intel.taxii.collections import ensure_default_collections

    ensure_default_collections()


# --- The store ---------------------------------------------------------------------------------


def intel_tables() -> list[str]:
    """The tables holding imported intelligence (everything of the intel app but the
    collections, their statuses and members' assets)."""
    from django.db import connection

    keep = {"intel_taxiicollection", "intel_taxiistatus", "intel_asset"}
    return sorted(
        name
        for name in connection.introspection.table_names()
        if name.startswith("intel_") and name not in keep
    )


def clear_store() -> float:
    """Empty the store (indicators, STIX versions, their lists, imports): seconds taken."""
    from django.db import connection, transaction

    started = time.perf_counter()
    tables = intel_tables()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
        else:
            cursor.execute("PRAGMA defer_foreign_keys = ON")
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # VACUUM: the emptied pages are handed back, so that an import writes into new
            # pages at the end of the file, as into a database that never held the store (an
            # import of 1,000,000 objects into the pages freed by the last one took 167 s, not 136).
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def sizes() -> dict[str, int]:
    return common.counts(
        [
            ("organisations", "SELECT COUNT(*) FROM core_organisation"),
            ("people", "SELECT COUNT(*) FROM core_user"),
            ("indicators", "SELECT COUNT(*) FROM intel_indicator"),
            ("STIX objects", "SELECT COUNT(*) FROM intel_stixobject"),
            ("TLP:GREEN everyone objects", "SELECT COUNT(*) FROM intel_stixobject "
                                           "WHERE tlp = 'green' AND audience = 'everyone'"),
            ("TLP:CLEAR everyone objects", "SELECT COUNT(*) FROM intel_stixobject "
                                           "WHERE tlp = 'clear' AND audience = 'everyone'"),
        ]
    )  # fmt: skip


def ensure(
    backend: str, fresh: bool = False, count: int = INDICATORS
) -> list[tuple[str, int, float]]:
    """Django on the intel database with the people and collections; the bundle files written."""
    if fresh:
        reset_database(backend)
    setup(backend)
    report: list[tuple[str, int, float]] = []
    if not data.is_present():
        print("Organisations and people (the foundation's generator):", flush=True)
        seconds, made = common.timed(data.generate)
        report += made
        report.append(("organisations and people, total", 0, seconds))
        report.append(common.analyze())
    collections()
    for n, small in ((count, False), (SMALL, True)):
        path, seconds = write_bundle(n, small=small)
        if seconds:
            print(f"  wrote {path.name} ({path.stat().st_size / 1e6:,.0f} MB) in {seconds:.1f} s",
                  flush=True)  # fmt: skip
            report.append((path.name, n + 1, seconds))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--fresh", action="store_true", help="drop the database and rebuild it")
    parser.add_argument("--indicators", type=int, default=INDICATORS)
    args = parser.parse_args()
    report = ensure(args.backend, args.fresh, args.indicators)
    if not report:
        print(f"Intel benchmark data already present ({common.vendor()}); --fresh rebuilds it.")
        return
    rows = [(name, f"{rows:,}" if rows else "-", seconds) for name, rows, seconds in report]
    print(common.table(["step", "rows", "seconds"], rows,
                       title=f"Intel benchmark data on {common.vendor()}"))  # fmt: skip


if __name__ == "__main__":
    main()
