"""Word diff, three-way merge, blame, redline data and formal wording for legal texts: pure
functions, no I/O, nothing of the project imported (only the standard library and diff-match-patch).

Modules: `tokens` (the tokens every function works on), `diff` (word diff), `merge` (three-way
merge) and `merge_diff` (the diff it takes its changes from), `blame`, `redline` (display data),
`alineas` (numbered alinéas, a text amended alinéa by alinéa), `changes` (an amendment's
independent changes), `wording` (formal wording, CONTRACT §8, and its inverse), `hunks` (partial
merges). A diff is a list of `(op, text)` pairs, op -1 deleted, 0 kept, 1 inserted, and no boundary
between two pairs falls inside a token.
"""

from amendments.engine.alineas import Alinea, AmendingError, alineas
from amendments.engine.blame import Segment, blame, merged_in_turn
from amendments.engine.diff import diff_words, new_text, old_text
from amendments.engine.hunks import Hunk, apply_hunks, hunks
from amendments.engine.merge import Conflict, MergeResult, merge3
from amendments.engine.merge_diff import DiffCache
from amendments.engine.redline import Block, Changed, Folded, Row, Unchanged, redline_blocks, side_by_side
from amendments.engine.tokens import DELETE, EQUAL, INSERT, Diff, Part, tokenize
from amendments.engine.wording import WordingError, apply_wording, article_wording, parse_wording, wording

__all__ = [
    "DELETE", "EQUAL", "INSERT", "Part", "Diff", "tokenize", "diff_words", "old_text", "new_text",
    "Conflict", "MergeResult", "DiffCache", "merge3", "Segment", "blame", "merged_in_turn",
    "Changed", "Unchanged", "Folded", "Block", "redline_blocks", "Row", "side_by_side",
    "Alinea", "alineas", "AmendingError", "WordingError", "wording", "apply_wording", "article_wording",
    "parse_wording", "Hunk", "hunks", "apply_hunks",
]  # fmt: skip
