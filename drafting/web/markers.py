"""Markers cut into rendered HTML where a part is filled in later: the reader cache's holes and the kept
fragments' (drafting/web/readercache.py, fragments.py). Nobody can type one: texts refuse NUL
(drafting.texts), and the nonce, drawn once per process, cannot be guessed. Each of the two has its own
delimiter, so a kept fragment's marks inside a page the reader cache keeps never meet its holes."""
from __future__ import annotations

import re
import secrets

NONCE = secrets.token_hex(6)


class Markers:
    """The markers of one of them: ``mark(label)``, and ``numbered`` finding the numbered ones."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.numbered = re.compile(f"{re.escape(delimiter)}{NONCE}:(\\d+){re.escape(delimiter)}")

    def mark(self, label: object) -> str:
        return f"{self.delimiter}{NONCE}:{label}{self.delimiter}"
