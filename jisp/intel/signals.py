"""Signals of the intel app (fan-out to listeners such as the assets alerts)."""

from django.dispatch import Signal

#: Sent after indicators were created or changed (committed): ``indicator_ids``.
indicator_shared = Signal()
#: Sent after sightings were reported (committed): ``sighting_ids``.
sighting_reported = Signal()
