import gc

import pytest

from registry.management.bulk import cycle_collector_paused


def test_the_cycle_collector_is_paused_for_the_work_and_resumes_after():
    assert gc.isenabled()
    with cycle_collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_cycle_collector_resumes_when_the_work_fails():
    with pytest.raises(ValueError), cycle_collector_paused():
        raise ValueError("bad file")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with cycle_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
