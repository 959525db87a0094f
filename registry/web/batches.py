"""Writes that belong together, so that what reacts to writes reacts once, at the end.

A service that saves a record and then its many-to-many sets, an import of 50,000 rows, an
admin form with its inlines: each is one batch. Code that keeps something current after
every write (the stored findings, in flows.findings.keeping) listens to the models' signals;
inside a batch it only notes what changed, and does the work when `batch_finished` is sent
as the outermost batch ends, still inside the caller's transaction when there is one.

The catalog and the import engine mark their batches here without knowing who listens:
they import nothing of flows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.dispatch import Signal

batch_finished = Signal()
"""Sent when the outermost batch ends, also after an error unless the transaction is broken."""
batch_abandoned = Signal()
"""Sent instead when the outermost batch ends inside a transaction that must roll back."""

_state = threading.local()


def in_batch() -> bool:
    return getattr(_state, "depth", 0) > 0


@contextmanager
def write_batch() -> Iterator[None]:
    """Mark the writes inside as one batch; batches nest, only the outermost one counts."""
    depth = getattr(_state, "depth", 0)
    _state.depth = depth + 1
    try:
        yield
    finally:
        _state.depth = depth
        if depth == 0:
            # After an error the writes may have been rolled back (the listener then finds
            # nothing to do) or kept (it must not miss them); only a transaction that is
            # already doomed cannot be written to.
            if connection.in_atomic_block and connection.needs_rollback:
                batch_abandoned.send(sender=write_batch)
            else:
                batch_finished.send(sender=write_batch)


rows_changing = Signal()
"""Sent by bulk writers (the import engine) before they change existing rows without
model signals: sender is the model, `pks` the rows about to change."""
rows_changed = Signal()
"""Sent after a bulk write: sender is the model, `pks` the rows created or changed."""
