"""The argument map's JSON shapes (CONTRACT §7) and page contexts (``_argument_map.html``,
``position.html``)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from amendments.models import Argument, PositionCorrection
from amendments.services import position_staff
from amendments.services import positions as kept
from amendments.services.participation import Target
from drafting.models import User
from drafting.views import json as out

# Positions shown open per stance on a target page; the next ones are folded under a <details>, and
# beyond those the page links to the full list of arguments (a page stays bounded however big the map).
SHOWN_PER_STANCE = 5
FOLDED_PER_STANCE = 30


def organization(user: kept.Holder) -> dict[str, str]:
    return {"name": user.organization_name or user.display_name or user.username,
            "declared_interests": user.declared_interests or ""}


def position_json(view: kept.PositionView) -> dict[str, Any]:
    position = view.position
    return {
        "id": position.id,
        "stance": position.stance,
        "label": position.label,
        "arguments": view.arguments,
        "representative": position.representative_id,
        "supporters": position.supporters,
        "citizens": position.citizens,
        "organizations": [organization(user) for user in view.organizations],
        "staff": position.staff,
    }


def correction_json(row: PositionCorrection) -> dict[str, Any]:
    return {"kind": row.kind, "by": row.actor.username, "at": out.iso(row.created_at),
            "position": row.position_id, "other_position": row.from_position_id, **json.loads(row.detail or "{}")}


def one_position(session: Session, position_id: int) -> kept.PositionView:
    position = position_staff.get_position(session, position_id)
    return kept.views_of(session, [position])[position.stance][0]


def position_detail_json(session: Session, view: kept.PositionView) -> dict[str, Any]:
    target = view.position
    return {**position_json(view), "article": target.article_id, "amendment": target.amendment_id,
            "history": [correction_json(row) for row in position_staff.history(session, view.position)]}


# --- pages -------------------------------------------------------------------------------------

@dataclass
class StanceMap:
    """One stance's positions: ``shown`` open, ``folded`` under a <details>, ``more`` not on the page."""

    stance: str
    shown: list[kept.PositionView]
    folded: list[kept.PositionView]
    more: int = 0

    @property
    def total(self) -> int:
        return len(self.shown) + len(self.folded) + self.more


@dataclass
class MapContext:
    """For templates/amendments/_argument_map.html: per stance, the most supported positions and the
    folded rest."""

    stances: list[StanceMap] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(s.shown for s in self.stances)

    @property
    def representative_ids(self) -> list[int]:
        return [v.representative.id for s in self.stances for v in (*s.shown, *s.folded) if v.representative]


def map_context(session: Session, target: Target) -> MapContext:
    end = SHOWN_PER_STANCE + FOLDED_PER_STANCE
    found, totals = kept.read_top(session, target, end)
    return MapContext([StanceMap(stance, views[:SHOWN_PER_STANCE], views[SHOWN_PER_STANCE:end],
                                 max(totals[stance] - end, 0))
                       for stance, views in found.items()])


@dataclass
class PositionPage:
    """For templates/amendments/position.html: the position, its members, its history, and whether the
    reader may correct it (with the other positions of its stance to merge with)."""

    view: kept.PositionView
    target: Target
    members: list[Argument]
    history: list[PositionCorrection]
    can_correct: bool
    others: list[kept.PositionView]
    errors: dict[str, str] = field(default_factory=dict)


def position_page(session: Session, position_id: int, user: User | None) -> PositionPage:
    view = one_position(session, position_id)
    target = position_staff.target_of(session, view.position)
    members = kept.member_arguments(session, view.arguments)
    can_correct = position_staff.may_correct(session, user, target)
    others = [v for v in kept.stance_positions(session, target, view.position.stance)
              if v.id != view.id] if can_correct else []
    return PositionPage(view, target, members, position_staff.history(session, view.position), can_correct, others)
