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
    with TimeLimit(seconds) as limit:
        return limit.call(work)


class TimeLimit:
    """The same time limit on many calls in turn (a batch's cases, one after the other):
    ``with TimeLimit(seconds) as limit: limit.call(work)``. In the main thread of a POSIX process the alarm's
    handler is installed once for them all, and each call only sets the timer (installing and restoring a
    handler costs more than a small case's reading); elsewhere each call is ``call_with_limit``."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.run: _Run | None = None
        self.previous: Any = None
        self.signal: Any = None

    def __enter__(self) -> TimeLimit:
        import signal

        seconds = self.seconds
        if seconds and seconds > 0 and hasattr(signal, "setitimer"):
            if threading.current_thread() is threading.main_thread():
                self.previous = signal.signal(signal.SIGALRM, self._ring)
                self.signal = signal
        return self

    def __exit__(self, *_: object) -> None:
        if self.signal is not None:
            self.signal.setitimer(self.signal.ITIMER_REAL, 0)
            self.signal.signal(self.signal.SIGALRM, self.previous)
            self.signal = None

    def _ring(self, signum: int, frame: FrameType | None) -> None:
        if self.run is not None and _inside(frame, self.run.frame):
            raise OverTime

    def call(self, work: Callable[[], T]) -> T:
        """``work()``, or OverTime once it has run the limit's seconds."""
        signal = self.signal
        if signal is None:
            return call_with_limit(self.seconds, work)
        run = self.run = _Run(work)
        signal.setitimer(signal.ITIMER_REAL, self.seconds, TICK)
        try:
            return run()  # type: ignore[return-value]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self.run = None
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
