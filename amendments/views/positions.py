"""The argument map's JSON shapes (CONTRACT §7) and page contexts (``_argument_map.html``,
``position.html``)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from amendments.models import Argument, PositionCorrection
from amendments.services import argument_maps, position_staff
from amendments.services.arguments import supporters_of, useful_counts
from amendments.services import positions as kept
from amendments.services.participation import Target
from drafting import policy
from drafting.models import User
from drafting.views import json as out
from drafting.web import fragments

# Positions shown open per stance on a target page, with their representative argument; the next ones
# are folded under a <details> (label, supporters, organizations, a link to the position), and beyond
# those the page links to the full list of arguments (a page stays bounded however big the map).
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
class MapData:
    """What the map's HTML is rendered from, kept with it (drafting/web/fragments.py): per stance the
    most supported positions (``shown`` with their representative argument), and the supporters of
    those arguments (argument id → people who wrote it again)."""

    stances: list[StanceMap]
    supporters: dict[int, list[User]]

    @property
    def representative_ids(self) -> list[int]:
        return [v.representative.id for s in self.stances for v in s.shown if v.representative]


@dataclass
class MapContext:
    """For templates/participation/_argument_map.html: the kept map (``kept.data`` a MapData, its HTML
    per language) and the useful count of each argument it shows, read at each request."""

    kept: fragments.Kept
    useful: dict[int, int]

    @property
    def stances(self) -> list[StanceMap]:
        return self.kept.data.stances

    @property
    def empty(self) -> bool:
        return not any(s.shown for s in self.stances)

    @property
    def representative_ids(self) -> list[int]:
        return self.kept.data.representative_ids


def map_context(session: Session, target: Target, user: User | None, argument_totals: tuple[int, ...]) -> MapContext:
    """The target's map for its page: one statement for the kept map's stamp and one for the useful
    counts of the arguments shown while the HTML kept for this (target, kind of reader) shows this
    version of the map and these argument counts; the map read (three statements) otherwise."""
    stamp = argument_maps.stamp(session, target)
    key = ("map", target.kind, target.id, user is not None, policy.is_moderator(user))
    version = (stamp.version, argument_totals)
    cache = fragments.for_session(session)
    kept_map = cache.get(key, version)
    if kept_map is not None:
        return MapContext(kept_map, useful_counts(session, kept_map.data.representative_ids))
    end = SHOWN_PER_STANCE + FOLDED_PER_STANCE
    found = kept.read_top(session, target, end, represented=SHOWN_PER_STANCE)
    stances = [StanceMap(stance, views[:SHOWN_PER_STANCE], views[SHOWN_PER_STANCE:end],
                         max(stamp.per_stance[stance] - end, 0)) for stance, views in found.items()]
    shown = [v.representative for s in stances for v in s.shown if v.representative]
    data = MapData(stances, supporters_of(session, [a.id for a in shown]))
    return MapContext(cache.put(key, version, data), {a.id: a.useful_count for a in shown})


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
