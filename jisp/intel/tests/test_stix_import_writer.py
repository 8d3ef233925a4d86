"""A file import outside any transaction: its batches are written by a writer thread on its own
connection (``importer._Writer``), all or nothing, while the calling thread reads the file."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.db import connection, transaction

from jisp.core.choices import TLP
from jisp.intel.choices import ImportState
from jisp.intel.models import ImportRun, Indicator, StixObject
from jisp.intel.stix import importer
from jisp.intel.stix.importer import ImportFailed, import_bundle

from .test_stix_import import bundle, ctx
from .test_stix_ingest import indicator

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 7)


@pytest.fixture
def writers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that stored batches."""
    names: list[str] = []
    store = importer.Ingester.store

    def spy(self: importer.Ingester, items: Any) -> None:
        names.append(threading.current_thread().name)
        store(self, items)

    monkeypatch.setattr(importer.Ingester, "store", spy)
    return names


def test_the_batches_are_written_by_the_writer_thread(cast: Any, writers: list[str]) -> None:
    assert not connection.in_atomic_block
    objects = [indicator(f"w{i}.example") for i in range(40)]
    objects.append({**indicator("w0.example"), "modified": "2021-07-24T00:00:00.000Z",
                    "id": objects[0]["id"], "confidence": 95})  # fmt: skip
    objects.append({**indicator("red.example"), "object_marking_refs": [
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]})  # fmt: skip
    run = import_bundle(io.BytesIO(bundle(objects)), ctx(cast))
    assert run.state == ImportState.DONE
    assert (run.objects_read, run.indicators_added, run.unchanged) == (42, 41, 0)
    assert len(writers) == 6 and set(writers) == {"jisp-stix-import-writer"}
    assert StixObject.objects.count() == 42
    assert Indicator.objects.get(value="w0.example").confidence == 95
    red = Indicator.objects.get(value="red.example")
    assert red.tlp == TLP.RED
    assert list(red.audience_people.all()) == [cast.analyst]
    # The writer's connection is closed; this thread's still works.
    again = import_bundle(io.BytesIO(bundle(objects)), ctx(cast))
    assert (again.indicators_added, again.unchanged) == (0, 42)


def test_a_file_broken_after_some_batches_leaves_nothing(cast: Any) -> None:
    data = bundle([indicator(f"b{i}.example") for i in range(60)])[:-40]
    with pytest.raises(ImportFailed) as caught:
        import_bundle(io.BytesIO(data), ctx(cast))
    assert "JSON" in " ".join(caught.value.messages)
    assert not StixObject.objects.exists()
    assert not Indicator.objects.exists()
    assert ImportRun.objects.get().state == ImportState.FAILED


def test_an_error_of_the_writer_stops_the_reader_and_leaves_nothing(
    cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    store = importer.Ingester._store

    def failing(self: importer.Ingester, items: Any) -> None:
        calls.append(len(items))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        store(self, items)

    monkeypatch.setattr(importer.Ingester, "_store", failing)
    read: list[int] = []
    add = importer.Ingester.add

    def counting(self: importer.Ingester, obj: Any) -> None:
        read.append(1)
        add(self, obj)

    monkeypatch.setattr(importer.Ingester, "add", counting)
    data = bundle([indicator(f"e{i}.example") for i in range(700)])
    with pytest.raises(RuntimeError, match="disk full"):
        import_bundle(io.BytesIO(data), ctx(cast))
    assert len(calls) == 2
    assert len(read) < 700  # the reader stopped at its next batch
    assert not StixObject.objects.exists()
    assert not Indicator.objects.exists()


def test_the_switch_interval_is_short_during_an_import_and_restored_after(
    cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    seen: list[float] = []
    store = importer.Ingester.store

    def spy(self: importer.Ingester, items: Any) -> None:
        seen.append(sys.getswitchinterval())
        store(self, items)

    monkeypatch.setattr(importer.Ingester, "store", spy)
    before = sys.getswitchinterval()
    import_bundle(io.BytesIO(bundle([indicator(f"s{i}.example") for i in range(20)])), ctx(cast))
    assert seen and set(seen) == {min(before, importer._QuickHandover.SECONDS)}
    assert sys.getswitchinterval() == before
    # Also after a failed import.
    with pytest.raises(ImportFailed):
        import_bundle(io.BytesIO(b'{"type": "bundle", "objects": [{'), ctx(cast))
    assert sys.getswitchinterval() == before


def test_imported_indicators_take_ids_never_used_and_later_rows_follow_them(cast: Any) -> None:
    """The importer reserves its ids before inserting (``reserve_ids``): never an id of a
    deleted indicator, and the table's own counter moves past them."""
    first = import_bundle(io.BytesIO(bundle([indicator("gone.example")])), ctx(cast))
    assert first.state == ImportState.DONE
    gone = Indicator.objects.get(value="gone.example").pk
    Indicator.objects.filter(pk=gone).delete()
    objects = [indicator(f"ids{i}.example") for i in range(20)]
    run = import_bundle(io.BytesIO(bundle(objects)), ctx(cast))
    assert run.indicators_added == 20
    pks = list(Indicator.objects.order_by("pk").values_list("pk", flat=True))
    assert len(pks) == 20 and min(pks) > gone
    # Each version points at its own indicator (the ids given in the batch are the rows' ids).
    for version in StixObject.objects.filter(stix_type="indicator", indicator__isnull=False):
        assert version.indicator is not None
        assert version.indicator.stix_id == version.stix_id
    later = Indicator.objects.create(
        kind="domain", value="later.example", stix_id="indicator--later",
        organisation=cast.centre, created_by=cast.analyst,
    )  # fmt: skip
    assert later.pk > max(pks)


def test_ids_reserved_twice_do_not_overlap(cast: Any) -> None:
    if connection.vendor == "sqlite":
        # A table never inserted into has no counter yet: the first reservation makes it.
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'intel_indicator'")
    with transaction.atomic():
        one = list(importer.reserve_ids(Indicator, 5))
        two = list(importer.reserve_ids(Indicator, 3))
    assert len(set(one + two)) == 8 and min(two) > max(one)
    later = Indicator.objects.create(
        kind="domain", value="after.example", stix_id="indicator--after",
        organisation=cast.centre, created_by=cast.analyst,
    )  # fmt: skip
    assert later.pk > max(two)
