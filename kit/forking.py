"""Work handed to a forked child on another core, its result sent back.

The child is forked, so it reads what the parent holds (a loaded portfolio, a file's
bytes) without copying or pickling it (copy-on-write pages); only the result travels
back, pickled.  Forking needs Linux, a second core and no other running thread
(:func:`can_fork`); elsewhere nothing starts and the wait gives None at once, as it does when the child fails (an error, killed, out of
memory): the caller then does the work itself, so the result never depends on whether
a child ran.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["can_fork", "in_background", "shared_out"]


def can_fork() -> bool:
    """Whether :func:`in_background` can start a child here: Linux, two cores or more, and
    no other thread running (a fork copies no thread, so a lock another thread held at
    that moment would never be released in the child: a notebook kernel's threads, a
    Dask client's)."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) >= 2 \
        and "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _child(conn, fn: Callable[..., Any], args: tuple) -> None:
    try:
        conn.send(("ok", fn(*args)))
    except BaseException as exc:  # the parent does the work itself then
        conn.send(("error", repr(exc)))
    finally:
        conn.close()


def in_background(fn: Callable[..., Any], *args: Any) -> Callable[[], Any | None]:
    """Start ``fn(*args)`` in a forked child; returns the function that waits for its
    result (None: no child was started, or it failed).

    ``fn`` must not write anything the parent reads: the child's changes stay in the
    child.  The wait is to be called once; until then the objects that existed at the
    fork are not garbage-collected here (:func:`gc.freeze`), as the child runs.
    """
    if not can_fork():
        return lambda: None
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(send, fn, args), daemon=True)
    # the objects of both processes left out of the garbage collector's passes while the
    # child runs: a pass writes to every object it visits, and each write to a page the
    # two processes share copies that page (gigabytes of a loaded portfolio, for nothing)
    gc.freeze()
    try:
        child.start()
    except OSError:  # no memory or processes left to fork
        gc.unfreeze()
        receive.close()
        send.close()
        return lambda: None
    send.close()

    def wait() -> Any | None:
        try:
            status, result = receive.recv()
        except (EOFError, OSError):  # the child died (killed, out of memory)
            status, result = "error", None
        finally:
            receive.close()
            child.join()
            gc.unfreeze()
        return result if status == "ok" else None

    return wait


def shared_out(items: list[T], sizes: list[int], *, min_total: int) -> tuple[list[T], list[T]]:
    """The items this process works on and those a forked child takes meanwhile: largest
    first, each to the side with less work so far (the child's first), so that both
    finish at about the same time.  None for the child (all here) when the work is under
    ``min_total`` in all, there is one item, or no child can start.

    ``sizes``: each item's work (bytes, cells), in ``items``' order.
    """
    if len(items) < 2 or sum(sizes) < min_total or not can_fork():
        return list(items), []
    here: list[T] = []
    child: list[T] = []
    load = [0, 0]  # here, child
    for i in sorted(range(len(items)), key=lambda i: -sizes[i]):
        side = 1 if load[1] <= load[0] else 0
        (child if side else here).append(items[i])
        load[side] += sizes[i]
    return here, child
