"""screening.infra.kept: values kept by object identity, bounded, shared by the threads of a Dask worker."""

from __future__ import annotations

import sys
import threading

from screening.infra.kept import Kept


def test_keeps_by_identity_and_drops_the_oldest():
    kept = Kept(2)
    a, b, c = object(), object(), object()
    assert kept.put(a, 1) == 1 and kept.get(a) == 1
    kept.put(b, 2)
    kept.put(c, 3)
    assert kept.get(a) is None and kept.get(b) == 2 and kept.get(c) == 3
    assert kept.get(object(), "none") == "none"


def test_threads_putting_at_once_never_fail():
    """Two tasks of a threaded worker once dropped the same oldest entry at once: a KeyError failed the batch."""
    kept = Kept(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3000):
                key = object()
                kept.put(key, 1)
                kept.get(key)
        except BaseException as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert len(kept._items) <= 4
