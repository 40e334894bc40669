"""Work in a forked child (``kit.forking``): its result, or None so that the caller
does the work itself."""

from __future__ import annotations

import os

import pytest

from kit import forking


def _pid_and_sum(a: int, b: int) -> tuple[int, int]:
    return os.getpid(), a + b


def _fails() -> None:
    raise ValueError("a bug in the child")


def _killed() -> None:
    os._exit(3)  # dies without sending anything (as when killed, or out of memory)


def test_the_result_comes_from_another_process(forks):
    pid, total = forking.in_background(_pid_and_sum, 2, 3)()
    assert total == 5 and pid != os.getpid()


@pytest.mark.parametrize("fn", [_fails, _killed])
def test_a_failed_child_gives_none(forks, fn):
    assert forking.in_background(fn)() is None


def test_without_fork_nothing_starts(monkeypatch):
    monkeypatch.setattr(forking, "can_fork", lambda: False)
    started = []
    assert forking.in_background(lambda: started.append(1))() is None
    assert started == []


def _sleep_then(value: int) -> int:
    import time

    time.sleep(0.2)
    return value


def test_the_objects_are_frozen_only_while_the_child_runs(forks):
    """No garbage-collector pass copies the shared pages while the child runs (gc.freeze);
    after the wait the process collects as before."""
    import gc

    before = gc.get_freeze_count()
    wait = forking.in_background(_sleep_then, 7)
    assert gc.get_freeze_count() > before
    assert wait() == 7
    assert gc.get_freeze_count() == 0


def test_no_fork_while_another_thread_runs():
    """A fork copies no thread: with another thread running (a notebook kernel's, a Dask
    client's) nothing is forked and the caller does the work itself."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not forking.can_fork()
        assert forking.in_background(_pid_and_sum, 1, 2)() is None
    finally:
        stop.set()
        other.join()
