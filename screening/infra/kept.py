"""Values worked out for an object (a compiled pack, a schema's checker) and kept while the object is."""

from __future__ import annotations

import threading
from typing import Any


class Kept:
    """Values keyed by the identity of objects, at most ``size`` of them, the oldest dropped first.

    Each object is kept with its value, so its id cannot be reused by another object while the value is. Safe
    across threads (a Dask worker runs its tasks in threads of one process): :meth:`put` holds a lock while it
    drops the oldest and adds; :meth:`get` is one read of a dictionary.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[int, tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        """The value kept for ``key``, else ``default``."""
        found = self._items.get(id(key))
        return found[1] if found is not None and found[0] is key else default

    def put(self, key: Any, value: Any) -> Any:
        """Keep ``value`` for ``key``; return it."""
        with self._lock:
            if id(key) not in self._items and len(self._items) >= self.size:
                del self._items[next(iter(self._items))]
            self._items[id(key)] = (key, value)
        return value
