"""SQLite's checkpoints (the write-ahead log's pages copied back into the database file, then two
fsyncs) in a thread of their own, not in the write that crosses SQLite's threshold: on the API's vote
path that write runs on the event loop, and a checkpoint waiting for a busy disk held every request
behind it, a tenth of a second or more (bench/ANALYSIS.md, votes2). Commits are not fsynced either way
(``synchronous=NORMAL``); a passive checkpoint waits for no reader or writer, so writes go on meanwhile."""
from __future__ import annotations

import logging
import sqlite3
import threading

log = logging.getLogger("navette.db")

EVERY = 64  # write transactions between two checkpoints: about SQLite's own 1,000 log pages for votes


class Checkpoints:
    """The checkpoints of one SQLite database file, one at a time, after every ``EVERY`` commits of
    this process (its connections have SQLite's own turned off: ``PRAGMA wal_autocheckpoint=0``)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._commits = 0
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def committed(self) -> None:
        """After each write transaction's commit. SQLite's write lock serialises the transactions, not
        this call, which comes after the lock is released: with handlers in threads two commits can
        count at once, so the count is taken under the lock (a tenth of a microsecond a commit)."""
        with self._lock:
            self._commits += 1
            if self._commits % EVERY or (self._thread is not None and self._thread.is_alive()):
                return
            self._thread = threading.Thread(target=self._checkpoint, name="navette-checkpoint", daemon=True)
            self._thread.start()

    def _checkpoint(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=30)
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            finally:
                connection.close()
        except sqlite3.Error as error:  # the next one will try again; SQLite's readers never depend on it
            log.warning("SQLite checkpoint of %s failed: %s", self.path, error)

    def wait(self) -> None:
        """The checkpoint running now, if any, finished (before the engines are disposed)."""
        thread = self._thread
        if thread is not None:
            thread.join()
