"""Helpers for bulk work (imports of millions of objects, matching 10^5 values)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector held while many acyclic dicts and tuples are made: each of
    its passes would walk every live object again (a third of the time of a large match, a
    sixth of an import). Reference counting still frees everything; one collection runs at the
    end for the few cycles made meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            gc.collect(0)
