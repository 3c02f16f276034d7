"""A time limit on one call (a batch's case): the work is interrupted, not waited for."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

TICK = 0.05
"""Seconds between interruptions once the limit has passed: one can be lost (raised inside a garbage
collector's callback, or a ``__del__``, where Python ignores exceptions), so it is raised again."""


class OverTime(BaseException):
    """The work ran past its time limit. A BaseException, as KeyboardInterrupt is: ``except Exception``
    in the work must not swallow it."""


def call_with_limit(seconds: float | None, work: Callable[[], T]) -> T:
    """``work()``, or OverTime once it has run ``seconds`` (no limit for None or 0).

    The exception is raised inside ``work`` only, never in what runs after it: each interruption first
    checks that ``work`` is still on the stack. In the main thread of a POSIX process a ``SIGALRM``
    timer interrupts it wherever it runs Python code (a call into C, when it returns); in another thread
    (a Dask worker runs its tasks in threads) a timer thread raises the exception in it
    (PyThreadState_SetAsyncExc).
    """
    if not seconds or seconds <= 0:
        return work()
    import signal

    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _alarm(signal, seconds, work)
    return _async(seconds, work)


def _inside(frame: FrameType | None, marker: FrameType | None) -> bool:
    while frame is not None:
        if frame is marker:
            return True
        frame = frame.f_back
    return False


class _Run:
    """The frame of ``work`` once it runs: interruptions land only below it."""

    def __init__(self, work: Callable[[], object]):
        self.work = work
        self.frame: FrameType | None = None

    def __call__(self) -> object:
        self.frame = sys._getframe()
        return self.work()


def _alarm(signal: Any, seconds: float, work: Callable[[], T]) -> T:
    run = _Run(work)

    def ring(signum: int, frame: FrameType | None) -> None:
        if _inside(frame, run.frame):
            raise OverTime

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds, TICK)
    try:
        return run()  # type: ignore[return-value]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        run.frame = None


def _async(seconds: float, work: Callable[[], T]) -> T:
    import ctypes

    run = _Run(work)
    ident = threading.get_ident()
    lock = threading.Lock()
    stop = threading.Event()

    def ring() -> None:
        if stop.wait(seconds):
            return
        while True:
            with lock:
                if stop.is_set():
                    return
                if _inside(sys._current_frames().get(ident), run.frame):
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(OverTime))
            if stop.wait(TICK):
                return

    timer = threading.Thread(target=ring, daemon=True)
    timer.start()
    late = False
    try:
        result = run()
    except OverTime:
        late = True
    finally:
        while True:  # an exception sent just before the work ended may land here: it only means "late"
            try:
                with lock:
                    stop.set()
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)  # clear one pending
                break
            except OverTime:
                late = True
        run.frame = None
    if late:
        raise OverTime
    return result  # type: ignore[return-value]
