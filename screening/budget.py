"""A time limit on one piece of work (a batch's case): the work is interrupted, not waited for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class OverTime(Exception):
    """The work ran past its time limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise OverTime inside the block once it has run ``seconds``; no limit for None or 0.

    In the main thread of a POSIX process a SIGALRM timer interrupts the work wherever it runs Python
    code (a call into C is interrupted when it returns). In another thread (a Dask worker runs tasks
    in threads) a timer thread raises the exception in it (CPython's PyThreadState_SetAsyncExc).
    """
    if not seconds or seconds <= 0:
        yield
        return
    import signal

    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _alarm(signal, seconds):
            yield
    else:
        with _async(seconds):
            yield


@contextmanager
def _alarm(signal, seconds: float) -> Iterator[None]:  # type: ignore[no-untyped-def]
    def ring(signum: int, frame: object) -> None:
        raise OverTime

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _async(seconds: float) -> Iterator[None]:
    import ctypes

    target = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"done": False, "fired": False}

    def ring() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(OverTime))

    timer = threading.Timer(seconds, ring)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["done"] = True
            if state["fired"]:  # raised already, or still pending: a pending one must not land later
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, None)
