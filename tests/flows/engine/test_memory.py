import gc
import weakref

import pytest

from flows.engine.memory import paused_gc


class Node:
    """An object that can sit in a reference cycle and be watched by a weak reference."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture(autouse=True)
def _thawed():
    yield
    gc.unfreeze()
    gc.enable()


def _tracked(obj: object) -> bool:
    """In one of the generations the collector scans (the permanent one is not listed)."""
    return any(o is obj for o in gc.get_objects())


def test_the_collector_is_paused_inside_and_resumes_after():
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_pause_inside_a_pause_leaves_the_collector_off():
    with paused_gc(), paused_gc():
        pass
    assert gc.isenabled()
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()


def test_what_a_keeping_pause_built_is_not_scanned_again():
    with paused_gc(keep=True):
        kept = [Node() for _ in range(3)]
    assert not _tracked(kept)
    assert gc.get_freeze_count() > 0
    with paused_gc():  # the next pause hands everything back to the collector
        assert _tracked(kept)


def test_without_keep_nothing_is_frozen():
    with paused_gc():
        built = [Node()]
    assert _tracked(built)
    assert gc.get_freeze_count() == 0


def test_a_cycle_dropped_after_a_keeping_pause_is_collected_after_the_next_pause():
    with paused_gc(keep=True):
        first, second = Node(), Node()
        first.other, second.other = second, first
    watch = weakref.ref(first)
    del first, second
    gc.collect()
    assert watch() is not None  # frozen: the collector does not see it yet
    with paused_gc():
        pass
    gc.collect()
    assert watch() is None
