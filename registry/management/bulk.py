"""For commands that build a whole register or a whole file in memory."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the command's work.

    Loading and evaluating 100,000 flows, or reading a file of as many rows, builds millions
    of objects, none of them in a reference cycle: the collector would rescan them pass after
    pass and free nothing. Reference counting still frees everything. Process-wide, so only
    for commands, which run in a process of their own; the collector resumes when the work is
    done.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
