"""The benchmark seeder's tools: samplers, word edits, progress lines and bulk writers."""
from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
import sys
import time
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection
from drafting.seeding.calibration import EDITS_PER_AMENDMENT
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex, UniqueConstraint

# --- sampling ----------------------------------------------------------------------------------

def quantile_sampler(rng: random.Random, table: Sequence[tuple[float, float]]) -> Callable[[], float]:
    """Draws from the distribution whose inverse CDF passes through ``table``'s (percentile, value)."""
    percentiles = [p for p, _ in table]
    values = [v for _, v in table]

    def draw() -> float:
        u = rng.random() * 100
        i = min(bisect.bisect_right(percentiles, u), len(percentiles) - 1)
        p0, p1, v0, v1 = percentiles[i - 1], percentiles[i], values[i - 1], values[i]
        return v0 + (v1 - v0) * (u - p0) / (p1 - p0)

    return draw


def allocate(total: int, weights: Sequence[float], cap: int | None = None) -> list[int]:
    """Split ``total`` in proportion to ``weights``, no part above ``cap`` (largest remainders)."""
    n = len(weights)
    parts = [0] * n
    if total <= 0 or n == 0:
        return parts
    if cap is not None and cap * n < total:
        raise ValueError(f"cannot place {total} among {n} slots of at most {cap}")
    open_slots = [i for i in range(n) if weights[i] > 0] or list(range(n))
    remaining = total
    while remaining > 0 and open_slots:
        weight_sum = sum(weights[i] for i in open_slots) or float(len(open_slots))
        shares = {i: remaining * ((weights[i] or 1.0) if weight_sum else 1.0) / weight_sum for i in open_slots}
        placed = 0
        for i in open_slots:
            room = (cap - parts[i]) if cap is not None else remaining
            take = min(int(shares[i]), room)
            parts[i] += take
            placed += take
        remaining -= placed
        if remaining and placed == 0:  # hand the last units out by largest remainder
            order = sorted(open_slots, key=lambda i: shares[i] - int(shares[i]), reverse=True)
            for i in order:
                if remaining == 0:
                    break
                if cap is None or parts[i] < cap:
                    parts[i] += 1
                    remaining -= 1
        open_slots = [i for i in open_slots if cap is None or parts[i] < cap]
        if remaining and not open_slots:  # weights were zero where room is left
            open_slots = [i for i in range(n) if cap is None or parts[i] < cap]
    return parts


class Words:
    """Text made of the demo bill's own words: windows of a long shuffled sequence of its sentences."""

    def __init__(self, rng: random.Random, source: str) -> None:
        sentences = [s.strip() for s in source.replace("\n", " ").split(". ") if len(s.strip()) > 20]
        stream: list[str] = []
        while sum(map(len, stream)) < 400_000:
            rng.shuffle(sentences)
            stream.extend(s + "." for s in sentences)
        self.text = " ".join(stream)
        self.rng = rng
        self.words = [w for w in source.split() if w.isalpha()]

    def window(self, length: int) -> str:
        """About ``length`` characters, starting and ending on word boundaries."""
        length = max(1, int(length))
        start = self.rng.randrange(0, len(self.text) - length - 200)
        start = self.text.find(" ", start) + 1
        end = self.text.rfind(" ", start, start + length + 1)
        if end <= start:
            end = self.text.find(" ", start + 1)
        chunk = self.text[start:end].strip()
        return chunk[:1].upper() + chunk[1:] if chunk else self.rng.choice(self.words)


def edited(rng: random.Random, words: Words, tokens: list[str]) -> str:
    """The base text (as tokens) with a few word-level edits: replacements, deletions, insertions."""
    tokens = list(tokens)
    positions = [i for i, token in enumerate(tokens) if token[:1].isalnum()]
    for _ in range(rng.randint(*EDITS_PER_AMENDMENT)):
        if not positions:
            break
        i = rng.choice(positions)
        span = rng.randint(1, 8)
        action = rng.random()
        if action < 0.5:
            tokens[i] = words.window(span * 7)
        elif action < 0.75:
            for j in range(i, min(i + span * 2, len(tokens))):
                tokens[j] = ""
        else:
            tokens[i] = tokens[i] + " " + words.window(span * 7)
    return "".join(tokens)


def fold_function(words: Words) -> Callable[[str], str]:
    """The participation module's folding (so seeded arguments group like real ones), sped up with a
    character table for the seeder's alphabet when the table gives the very same results."""
    import re
    import unicodedata

    try:
        from amendments.services.arguments import fold
    except ImportError:  # pragma: no cover - the module predates ``fold``

        def fold(value: str) -> str:
            value = unicodedata.normalize("NFKC", value).casefold()
            value = "".join(" " if unicodedata.category(c).startswith("P") else c for c in value)
            return re.sub(r"\s+", " ", value).strip()

    table = {ord(c): " " if unicodedata.category(c).startswith("P") else unicodedata.normalize("NFKC", c).casefold()
             for c in set(words.text) | set(words.text.upper())}

    def fast(value: str) -> str:
        return " ".join(value.translate(table).split())

    alphabet = "".join(sorted(set(words.text) | set(words.text.upper())))
    samples = [alphabet, " ".join(alphabet)] + [words.window(400) for _ in range(100)]
    return fast if all(fast(sample) == fold(sample) for sample in samples) else fold


def digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# --- progress ----------------------------------------------------------------------------------

class Progress:
    """A plain-text progress bar on stderr (a line per step when stderr is not a terminal)."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled
        self.label = label
        self.tty = sys.stderr.isatty()
        self.started = time.monotonic()

    def step(self, name: str, total: int) -> "_Step":
        return _Step(self, name, total)


class _Step:
    def __init__(self, progress: Progress, name: str, total: int) -> None:
        self.p, self.name, self.total, self.done = progress, name, max(total, 1), 0
        self.started = time.monotonic()
        self.shown = 0.0
        self.next_line = 0.1

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if not self.p.enabled or now - self.shown < 0.25:
            return
        self.shown = now
        fraction = min(self.done / self.total, 1.0)
        if self.p.tty:
            bar = "#" * int(fraction * 30)
            sys.stderr.write(f"\r[{self.p.label}] {self.name:<14} [{bar:<30}] {fraction:6.1%} "
                             f"{self.done:>11,}/{self.total:,} {now - self.p.started:7.1f} s")
            sys.stderr.flush()
        elif fraction >= self.next_line:
            self.next_line = math.floor(fraction * 10) / 10 + 0.1
            print(f"[{self.p.label}] {self.name}: {fraction:.0%} ({self.done:,}/{self.total:,}) "
                  f"{now - self.p.started:.1f} s", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.p.enabled:
            elapsed = time.monotonic() - self.started
            line = (f"[{self.p.label}] {self.name:<14} {self.done:>11,} rows in {elapsed:6.1f} s "
                    f"(total {time.monotonic() - self.p.started:.1f} s)")
            sys.stderr.write(("\r" + line + " " * 30 + "\n") if self.p.tty else line + "\n")
            sys.stderr.flush()


# --- bulk writers ------------------------------------------------------------------------------

def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


class BulkWriter:
    """Appends rows to a table: executemany in batches on SQLite, COPY on PostgreSQL."""

    batch = 20_000

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple], step: _Step) -> int:
        count = 0
        if self.postgres:
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor:
                with cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
                        if count % 10_000 == 0:
                            step.advance(10_000)
            step.advance(count % 10_000)
            return count
        cursor = self.connection.connection.driver_connection.cursor()
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        rows = iter(rows)
        while True:
            chunk = [tuple(map(_sqlite_value, row)) for row in itertools.islice(rows, self.batch)]
            if not chunk:
                break
            cursor.executemany(sql, chunk)
            count += len(chunk)
            step.advance(len(chunk))
        cursor.close()
        return count


def next_id(connection: Connection, table: str) -> int:
    return (connection.execute(text(f'SELECT max(id) FROM "{table}"')).scalar() or 0) + 1


# Secondary indexes and unique constraints dropped while PostgreSQL loads millions of rows, and
# built again afterwards (sorting once beats maintaining them row by row).
HEAVY_TABLES = ("votes", "useful_marks", "arguments", "amendments", "amendment_events", "users")


def secondary_structures(metadata) -> list[tuple[Any, Any]]:
    found = []
    for name in HEAVY_TABLES:
        table = metadata.tables[name]
        for index in table.indexes:
            found.append((DropIndex(index), CreateIndex(index)))
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint):
                found.append((DropConstraint(constraint), AddConstraint(constraint)))
    return found
