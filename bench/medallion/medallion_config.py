"""The configuration of OASIS medallion 3.0.0 for ``bench_intel.py`` (its memory backend).

medallion runs in its own venv (bench/out/medallion-venv: ``python3 -m venv`` and ``pip install
medallion==3.0.0``; nothing of it is in JISP's lock files) and is started as its documentation
says: ``medallion --host 127.0.0.1 --port <port> <config.json>`` (Flask's server). ``write``
makes two files in a folder of bench/out/: the configuration (the memory backend, one user, the
page size) and the backend's data file: one API root with one collection holding the objects of a
bundle file (its ``identity`` left out, as JISP's TLP:CLEAR collection holds only the
indicators), each with its manifest entry, ``date_added`` increasing by one millisecond.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

API_ROOT = "api1"
USER = "bench"
PASSWORD = "bench-medallion-password"
COLLECTION_ID = "7d3a3c1e-2b8c-4a5e-9d0f-1e2a3b4c5d6e"
MEDIA_TYPE = "application/stix+json;version=2.1"


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write(
    bundle: Path, folder: Path, port: int, *, page_size: int, limit: int | None = None
) -> tuple[Path, str, int]:
    """Write the configuration for a server on ``port`` serving the bundle's objects (the first
    ``limit`` of them): (config path, collection id, objects)."""
    folder.mkdir(parents=True, exist_ok=True)
    objects = [o for o in json.loads(bundle.read_text())["objects"] if o["type"] != "identity"]
    objects = objects[:limit] if limit is not None else objects
    start = datetime(2026, 6, 1, tzinfo=UTC)
    manifest = [
        {
            "id": obj["id"],
            "date_added": _ts(start + timedelta(milliseconds=n)),
            "version": obj.get("modified", obj.get("created")),
            "media_type": MEDIA_TYPE,
        }
        for n, obj in enumerate(objects)
    ]
    root = f"http://127.0.0.1:{port}/{API_ROOT}/"
    store = {
        "/discovery": {
            "title": "medallion (bench)",
            "description": "The OASIS reference TAXII 2.1 server, memory backend",
            "contact": "bench@example.invalid",
            "default": root,
            "api_roots": [root],
        },
        API_ROOT: {
            "information": {
                "title": "Bench API root",
                "description": "The objects JISP serves in its TLP:CLEAR collection",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 104_857_600,
            },
            "status": [],
            "collections": [
                {
                    "id": COLLECTION_ID,
                    "title": "TLP:CLEAR",
                    "description": "The same objects as JISP's tlp-clear collection",
                    "can_read": True,
                    "can_write": False,
                    "media_types": [MEDIA_TYPE],
                    "objects": objects,
                    "manifest": manifest,
                }
            ],
        },
    }
    data_file = folder / "data.json"
    data_file.write_text(json.dumps(store))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(data_file),
            # A `next` token must outlive a slow page (the default is 30 s).
            "session_timeout": 86_400,
        },
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": page_size},
    }
    config_file = folder / "config.json"
    config_file.write_text(json.dumps(config, indent=2))
    assert str(uuid.UUID(COLLECTION_ID)) == COLLECTION_ID
    return config_file, COLLECTION_ID, len(objects)
