"""What the participation partials and pages show: one ``Participation`` per article or amendment.

Templates get one ``participation`` object, so the article and amendment pages include the same partials
(``_votes.html``, ``_arguments.html``, ``_useful.html``, ``_sources.html``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from amendments.models import STANCES, VOTE_VALUES, Amendment, Source
from amendments.services import moderation, participation, tallies
from amendments.services.arguments import (
    ArgumentResult,
    argument_counts,
    argument_groups,
    supporters_of,
    useful_marked_by,
)
from amendments.services.sources import list_sources
from amendments.views import positions as position_views
from amendments.services.participation import Target
from amendments.services.arguments import ArgumentGroup
from drafting.web.urls import Reverse
from drafting import policy
from drafting.i18n import N_
from drafting.errors import Conflict, Invalid
from drafting.models import Article, User
from drafting.services import bills
from drafting.services.participants import assisted_participants

GROUPS_ON_TARGET_PAGE = 10  # argument groups per column on the article and amendment pages
GROUPS_PER_PAGE = 30  # on the full list of arguments
VOTE_LABELS = {"agree": N_("D'accord"), "mixed": N_("Mitigé"), "disagree": N_("Pas d'accord")}
STANCE_LABELS = {"for": N_("Pour"), "against": N_("Contre")}


@dataclass
class Column:
    """One stance's arguments: ``groups`` of the shown page, ``total`` arguments, ``group_total`` groups."""

    stance: str
    groups: list[ArgumentGroup]
    total: int
    group_total: int

    @property
    def label(self) -> str:
        return STANCE_LABELS[self.stance]


@dataclass
class Participation:
    """What the participation partials show for one article or amendment.

    ``kind``/``id``/``bill``/``title``/``url`` name the target; ``votes`` (counts), ``percentages``,
    ``total_votes`` and ``my_vote``; ``columns`` (for, against) with ``supporters`` (argument id →
    users who joined it) and ``useful_mine`` (ids the viewer marked useful); ``sources``;
    ``can_write`` (signed in, consultation open, target visible), ``state`` (why not: "anonymous",
    "closed", "hidden"), ``is_moderator``; ``here`` (the page to come back to), ``form``/``errors``/
    ``notice`` for the argument and source forms; ``page``/``pages`` on the full list; ``assisted``
    (for the bill's staff) the in-person participants the argument form may enter an argument for.
    """

    target: Target
    user: User | None
    votes: dict[str, int] = field(default_factory=dict)
    my_vote: str | None = None
    columns: list[Column] = field(default_factory=list)
    # On the article and amendment pages: the argument map (amendments.views.positions.MapContext)
    # in place of the flat columns; None on the full list of arguments.
    argument_map: Any = None
    supporters: dict[int, list[User]] = field(default_factory=dict)
    useful_mine: set[int] = field(default_factory=set)
    sources: list[Source] = field(default_factory=list)
    url: str = ""
    here: str = ""
    form: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    notice: str | None = None
    page: int = 1
    pages: int = 1
    vote_values: tuple[str, ...] = VOTE_VALUES
    vote_labels: dict[str, str] = field(default_factory=lambda: VOTE_LABELS)
    stances: tuple[str, ...] = STANCES
    stance_labels: dict[str, str] = field(default_factory=lambda: STANCE_LABELS)
    # For the bill's staff: the in-person participants they may enter an argument for (on_behalf_of).
    assisted: list[User] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def id(self) -> int:
        return self.target.id

    @property
    def bill(self):
        return self.target.bill

    @property
    def dom_id(self) -> str:
        return f"{self.kind}-{self.id}"

    @property
    def title(self) -> str:
        row = self.target.row
        if isinstance(row, Article):
            return f"Article {row.number}"
        return row.title if row.title and not self.target.hidden else f"Modification n° {row.id}"

    @property
    def total_votes(self) -> int:
        return sum(self.votes.values())

    @property
    def percentages(self) -> dict[str, int]:
        return participation.percentages(self.votes)

    @property
    def state(self) -> str | None:
        return policy.participation_state(self.user, self.target.bill, hidden=self.target.hidden,
                                          removed=self.target.removed, settled=self.target.settled)

    @property
    def can_write(self) -> bool:
        return self.state is None

    @property
    def is_moderator(self) -> bool:
        return policy.is_moderator(self.user)

    @property
    def can_report(self) -> bool:
        """The target itself may be reported (an amendment still shown; articles are the authors')."""
        return self.kind == "amendment" and policy.may_report(self.user, self.target.row)

    @property
    def argument_total(self) -> int:
        return sum(column.total for column in self.columns)


def target_url(reverse: Reverse, target: Target) -> str:
    """The page of an article or amendment, where its votes, arguments and sources are shown."""
    if target.kind == "article":
        return reverse("articles:detail", slug=target.bill.slug, article_id=target.id)
    return reverse("amendments:detail", amendment_id=target.id)


def build(session: Session, target: Target, user: User | None, reverse: Reverse, *, votes: bool = True,
          arguments: bool = True, sources: bool = True, per_column: int = GROUPS_ON_TARGET_PAGE, page: int = 1,
          here: str | None = None, as_map: bool = True) -> Participation:
    """Gather what the partials show, in a constant number of queries whatever the numbers; ``reverse``
    (the app's route_reverse) writes the target's links."""
    url = target_url(reverse, target)
    view = Participation(target=target, user=user, url=url, here=here or url, page=page)
    stored = tallies.read(session, target.kind, [target.id])[target.id] if votes or arguments else {}
    if votes:
        view.votes = tallies.votes_of(stored)
        view.my_vote = participation.my_vote(session, user, target)
    if arguments and user is not None and bills.is_bill_staff(session, target.bill, user):
        view.assisted = assisted_participants(session, target.bill)
    if arguments and as_map:
        counts = argument_counts(stored)
        view.columns = [Column(stance, [], counts[stance]["all"], counts[stance]["groups"]) for stance in STANCES]
        view.argument_map = position_views.map_context(session, target, user,
                                                       tuple(column.total for column in view.columns))
        view.supporters = view.argument_map.kept.data.supporters
        view.useful_mine = useful_marked_by(session, user, view.argument_map.representative_ids)
    elif arguments:
        counts = argument_counts(stored)
        view.columns = [
            Column(stance, argument_groups(session, target, stance, limit=per_column,
                                                          offset=(page - 1) * per_column),
                   counts[stance]["all"], counts[stance]["groups"])
            for stance in STANCES
        ]
        view.pages = max(1, *(math.ceil(c.group_total / per_column) for c in view.columns))
        ids = [i for column in view.columns for group in column.groups for i in group.ids]
        view.supporters = supporters_of(session, ids)
        view.useful_mine = useful_marked_by(session, user, ids)
    if sources:
        view.sources = list_sources(session, target)
    return view


def article_participation_context(session: Session, article: Article, user: User | None,
                                  reverse: Reverse) -> dict[str, Any]:
    """For templates/participation/_article_participation.html: ``participation`` (a Participation)."""
    return {"participation": build(session, participation.target_for_row(session, article), user, reverse)}


def amendment_participation_context(session: Session, amendment: Amendment, user: User | None,
                                    reverse: Reverse) -> dict[str, Any]:
    """For templates/participation/_amendment_participation.html: ``participation`` (a Participation)."""
    return {"participation": build(session, participation.target_for_row(session, amendment), user, reverse)}


# --- helpers -----------------------------------------------------------------------------------

# What a refused form says, per field (French source strings, translated by the templates).
FORM_MESSAGES = {
    "stance": N_("Choisissez si votre argument est pour ou contre."),
    "body": N_("Écrivez votre argument : un texte de 5 000 caractères au plus."),
    "title": N_("Donnez un titre à la source (300 caractères au plus)."),
    "url": N_("L'adresse doit être complète et commencer par http:// ou https://."),
    "note": N_("La note ne peut dépasser 2 000 caractères."),
    "duplicate_url": N_("Cette adresse est déjà citée ici."),
    "hidden": N_("Cet argument a été masqué par la modération."),
    "reason": N_("Indiquez pourquoi (2 000 caractères au plus)."),
    "reported": N_("Vous avez déjà signalé cette contribution : un modérateur va l'examiner."),
}


def form_errors(error: Invalid | Conflict) -> dict[str, str]:
    """A refusal as the form shows it: a French message under the field at fault."""
    field = error.field or "form"
    if isinstance(error, Conflict):
        return {field: FORM_MESSAGES["duplicate_url" if field == "url" else "hidden"]}
    return {field: FORM_MESSAGES.get(field, error.detail)}


def argument_notice(result: ArgumentResult) -> str:
    if not result.created:
        return N_("Cet argument avait déjà été avancé : vous le soutenez désormais.")
    if result.argument.similar_to_id is not None:
        return N_("Votre argument est publié, à côté d'un argument proche.")
    return N_("Votre argument est publié.")


def item_url(reverse: Reverse, session: Session, target_type: str, item: Any, bill: Any = None) -> str:
    """Where a reported or hidden contribution is shown (``bill``, when known, saves a query)."""
    if target_type == "amendment":
        return reverse("amendments:detail", amendment_id=item.id)
    anchor = f"#{target_type}-{item.id}"
    if item.article_id is not None:
        bill = bill or moderation.bill_of(session, item)
        return reverse("articles:detail", slug=bill.slug, article_id=item.article_id) + anchor
    return reverse("amendments:detail", amendment_id=item.amendment_id) + anchor


