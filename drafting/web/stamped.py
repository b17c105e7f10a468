"""Values kept in a process under a key while what they were built from is unchanged: each is stored
with a *stamp* (a database write mark, a map's version) and answered only to a caller asking with the
same stamp; the least recently used go first beyond ``max_entries``, and with ``max_age`` an entry is
also dropped that many seconds after it was stored. Used by the synthesis PDFs (drafting/web/pdf.py)
and the kept fragments (drafting/web/fragments.py).
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any, Callable, Hashable


class Stamped:
    def __init__(self, max_entries: int, max_age: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.max_age = max_age
        self.clock = clock
        self._entries: OrderedDict[Hashable, tuple[object, float, Any]] = OrderedDict()
        self._lock = threading.Lock()  # handlers run in threads on PostgreSQL

    def get(self, key: Hashable, stamp: object) -> Any | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None or found[0] != stamp or (
                    self.max_age is not None and self.clock() - found[1] > self.max_age):
                return None
            self._entries.move_to_end(key)
            return found[2]

    def put(self, key: Hashable, stamp: object, value: Any) -> Any:
        with self._lock:
            self._entries[key] = (stamp, self.clock(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
