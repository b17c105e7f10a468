"""The argument map's method (issue 14, CONTRACT §7): arguments of one target and stance grouped into
positions by meaning, rebuilt in a batch or kept up to date one argument at a time. Pure: no database."""
from amendments.positions.embeddings import embed
from amendments.positions.grouping import (
    THRESHOLD,
    Features,
    Grouping,
    Placement,
    PositionVector,
    Space,
    features,
    group,
    place,
    rebuild,
)
from amendments.positions.labels import label, representative
from amendments.positions.text import fold, terms, text_key

__all__ = [
    "THRESHOLD", "Features", "Grouping", "Placement", "PositionVector", "Space", "embed", "features",
    "fold", "group", "label", "place", "rebuild", "representative", "terms", "text_key",
]
