"""Pages and fragments for votes, arguments, sources, reports and moderation.

Every form posts for real and answers 303 back to the page it came from; when htmx sends it
(``HX-Request``), the answer is the changed fragment instead (``_votes.html``, ``_arguments.html``,
``_useful.html``, ``_sources.html``), with ``Vary: HX-Request``. Templates get one ``participation``
object (a ``Participation``), so the article and amendment pages can include the same partials.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from amendments import moderation, participation, ratelimit, tallies
from amendments.models import STANCES, VOTE_VALUES, Amendment, Source
from amendments.participation import ArgumentGroup, Target
from drafting.controllers import _local_path, render
from drafting.errors import Conflict, Invalid, NotFound
from drafting import services
from drafting.models import Article, User
from drafting.web import page_user, threaded, transaction
from drafting.i18n import N_

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
    ``notice`` for the argument and source forms; ``page``/``pages`` on the full list.
    """

    target: Target
    user: User | None
    votes: dict[str, int] = field(default_factory=dict)
    my_vote: str | None = None
    columns: list[Column] = field(default_factory=list)
    supporters: dict[int, list[User]] = field(default_factory=dict)
    useful_mine: set[int] = field(default_factory=set)
    sources: list[Source] = field(default_factory=list)
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
    def url(self) -> str:
        return target_url(self.target)

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
        if self.target.hidden:
            return "hidden"
        if self.target.bill.status != "open":
            return self.target.bill.status
        if isinstance(self.target.row, Article) and self.target.row.removed:
            return "removed"
        if self.user is None:
            return "anonymous"
        return None

    @property
    def can_write(self) -> bool:
        return self.state is None

    @property
    def is_moderator(self) -> bool:
        return moderation.is_moderator(self.user)

    @property
    def argument_total(self) -> int:
        return sum(column.total for column in self.columns)


def target_url(target: Target) -> str:
    if target.kind == "article":
        return f"/bills/{target.bill.slug}/articles/{target.id}"
    return f"/amendments/{target.id}"


def build(session: Session, target: Target, user: User | None, *, votes: bool = True, arguments: bool = True,
          sources: bool = True, per_column: int = GROUPS_ON_TARGET_PAGE, page: int = 1,
          here: str | None = None) -> Participation:
    """Gather what the partials show, in a constant number of queries whatever the numbers."""
    view = Participation(target=target, user=user, here=here or target_url(target), page=page)
    stored = tallies.read(session, target.kind, [target.id])[target.id] if votes or arguments else {}
    if votes:
        view.votes = tallies.votes_of(stored)
        view.my_vote = participation.my_vote(session, user, target)
    if arguments:
        counts = participation.argument_counts(stored)
        view.columns = [
            Column(stance, participation.argument_groups(session, target, stance, limit=per_column,
                                                          offset=(page - 1) * per_column),
                   counts[stance]["all"], counts[stance]["groups"])
            for stance in STANCES
        ]
        view.pages = max(1, *(math.ceil(c.group_total / per_column) for c in view.columns))
        ids = [i for column in view.columns for group in column.groups for i in group.ids]
        view.supporters = participation.supporters_of(session, ids)
        view.useful_mine = participation.useful_marked_by(session, user, ids)
    if sources:
        view.sources = participation.list_sources(session, target)
    return view


def article_participation_context(session: Session, article: Article, user: User | None) -> dict[str, Any]:
    """For templates/participation/_article_participation.html: ``participation`` (a Participation)."""
    return {"participation": build(session, participation.target_for_row(session, article), user)}


def amendment_participation_context(session: Session, amendment: Amendment, user: User | None) -> dict[str, Any]:
    """For templates/participation/_amendment_participation.html: ``participation`` (a Participation)."""
    return {"participation": build(session, participation.target_for_row(session, amendment), user)}


# --- helpers -----------------------------------------------------------------------------------

def _is_htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _back(url: str, anchor: str = "") -> Redirect:
    return Redirect(path=url + (f"#{anchor}" if anchor else ""), status_code=303, headers={"Vary": "HX-Request"})


def _render_view(template: str, session: Session, request: Request, view: Participation, **context: Any) -> Template:
    return render(template, session, request, user=view.user, participation=view, **context)


def _writer(session: Session, request: Request) -> User | None:
    user = page_user(session, request)
    ratelimit.enforce(session, request, user)
    return user


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


def _form_errors(error: Invalid | Conflict) -> dict[str, str]:
    """A refusal as the form shows it: a French message under the field at fault."""
    field = error.field or "form"
    if isinstance(error, Conflict):
        return {field: FORM_MESSAGES["duplicate_url" if field == "url" else "hidden"]}
    return {field: FORM_MESSAGES.get(field, error.detail)}


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 100_000 else 1


# --- votes, arguments, sources on articles and amendments ----------------------------------------

def _target_pages(kind: str) -> list:
    base = f"/{kind}s/{{target_id:int}}"

    @post(f"{base}/vote", name=f"participation:{kind}:vote")
    @threaded
    def vote(request: Request, target_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
        with transaction(request) as session:
            user = _writer(session, request)
            target = participation.get_target(session, kind, target_id)
            value = data.get("value", "")
            if value == "withdraw":
                participation.take_back_vote(session, user, target)
            else:
                participation.cast_vote(session, user, target, value)
            if _is_htmx(request):
                view = build(session, target, user, arguments=False, sources=False)
                return _render_view("participation/_votes.html", session, request, view)
            return _back(target_url(target), f"votes-{kind}-{target_id}")

    @post(f"{base}/arguments", name=f"participation:{kind}:argue")
    @threaded
    def argue(request: Request, target_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
        with transaction(request) as session:
            user = _writer(session, request)
            target = participation.get_target(session, kind, target_id)
            try:
                result = participation.add_argument(session, user, target, data.get("stance"), data.get("body", ""))
            except (Invalid, Conflict) as error:  # raised before anything is written
                if isinstance(error, Conflict) and error.field != "body":
                    raise
                view = build(session, target, user, votes=False, sources=False)
                view.form, view.errors = dict(data), _form_errors(error)
                if _is_htmx(request):
                    return _render_view("participation/_arguments.html", session, request, view)
                return _render_view("participation/argument_form.html", session, request, view, status_code=400)
            argument = result.argument
            if _is_htmx(request):
                view = build(session, target, user, votes=False, sources=False)
                view.notice = _argument_notice(result)
                return _render_view("participation/_arguments.html", session, request, view)
            return _back(target_url(target), f"argument-{argument.id}")

    @get(f"{base}/arguments", name=f"participation:{kind}:arguments")
    @threaded
    def all_arguments(request: Request, target_id: FromPath[int]) -> Template:
        with transaction(request) as session:
            user = page_user(session, request)
            target = participation.get_target(session, kind, target_id)
            page = _page_number(request.query_params.get("page"))
            here = f"/{kind}s/{target_id}/arguments" + (f"?page={page}" if page > 1 else "")
            view = build(session, target, user, votes=False, sources=False, per_column=GROUPS_PER_PAGE,
                         page=page, here=here)
            return _render_view("participation/arguments.html", session, request, view)

    @post(f"{base}/sources", name=f"participation:{kind}:cite")
    @threaded
    def cite(request: Request, target_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
        with transaction(request) as session:
            user = _writer(session, request)
            target = participation.get_target(session, kind, target_id)
            try:
                source = participation.add_source(session, user, target, data.get("title", ""), data.get("url", ""),
                                                  data.get("note") or None)
            except (Invalid, Conflict) as error:  # raised before anything is written
                if isinstance(error, Conflict) and error.field != "url":
                    raise
                view = build(session, target, user, votes=False, arguments=False)
                view.form = dict(data)
                view.errors = _form_errors(error)
                if _is_htmx(request):
                    return _render_view("participation/_sources.html", session, request, view)
                return _render_view("participation/source_form.html", session, request, view, status_code=400)
            if _is_htmx(request):
                view = build(session, target, user, votes=False, arguments=False)
                view.notice = N_("Source ajoutée.")
                return _render_view("participation/_sources.html", session, request, view)
            return _back(target_url(target), f"source-{source.id}")

    return [vote, argue, all_arguments, cite]


def _argument_notice(result: participation.ArgumentResult) -> str:
    if not result.created:
        return N_("Cet argument avait déjà été avancé : vous le soutenez désormais.")
    if result.argument.similar_to_id is not None:
        return N_("Votre argument est publié, à côté d'un argument proche.")
    return N_("Votre argument est publié.")


@post("/arguments/{argument_id:int}/useful", name="participation:useful")
@threaded
def useful(request: Request, argument_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = _writer(session, request)
        argument = participation.get_argument(session, argument_id)
        count = participation.set_useful(session, user, argument, data.get("useful", "1") != "0")
        target = participation.argument_target(session, argument)
        here = _local_path(data.get("next"), target_url(target))
        if _is_htmx(request):
            view = Participation(target=target, user=user, here=here,
                                 useful_mine=participation.useful_marked_by(session, user, [argument.id]))
            return _render_view("participation/_useful.html", session, request, view, argument=argument, useful=count)
        return _back(here.split("#")[0], f"argument-{argument.id}")


# --- reports -----------------------------------------------------------------------------------

def _reported_item(session: Session, target_type: str | None, raw_id: str | None) -> Any:
    """The contribution a report form is about; a hidden one is not shown again (409)."""
    if target_type not in moderation.MODELS or not (raw_id or "").isdigit():
        raise NotFound("nothing to report here")
    item = moderation.get_item(session, target_type, int(raw_id))
    if item.hidden_by_id is not None:
        raise Conflict("this {target_type} was already hidden by moderation", target_type=target_type)
    return item


def item_url(session: Session, target_type: str, item: Any, bill: Any = None) -> str:
    """Where a reported or hidden contribution is shown (``bill``, when known, saves a query)."""
    if target_type == "amendment":
        return f"/amendments/{item.id}"
    anchor = f"{target_type}-{item.id}"
    if item.article_id is not None:
        bill = bill or moderation.bill_of(session, item)
        return f"/bills/{bill.slug}/articles/{item.article_id}#{anchor}"
    return f"/amendments/{item.amendment_id}#{anchor}"


def _login_redirect(request: Request) -> Redirect:
    """To the sign-in page, and back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(path=f"/login?next={quote(here, safe='')}", status_code=303)


@get("/reports/new", name="participation:report_form")
@threaded
def report_form(request: Request) -> Response:
    with transaction(request) as session:
        user = page_user(session, request)
        target_type = request.query_params.get("target")
        item = _reported_item(session, target_type, request.query_params.get("id"))
        if user is None:
            return _login_redirect(request)
        return render("participation/report.html", session, request, user=user, target_type=target_type, item=item,
                      item_url=item_url(session, target_type, item), reason="", error=None, done=False)


@post("/reports", name="participation:report")
@threaded
def report_submit(request: Request, data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = _writer(session, request)
        target_type = data.get("target")
        item = _reported_item(session, target_type, data.get("id"))
        context = {"target_type": target_type, "item": item, "item_url": item_url(session, target_type, item)}
        try:
            moderation.report(session, user, target_type, item.id, data.get("reason", ""))
        except (Invalid, Conflict) as error:  # raised before anything is written
            message = FORM_MESSAGES["reason" if isinstance(error, Invalid) else "reported"]
            return render("participation/report.html", session, request, user=user, status_code=error.status_code,
                          **context, reason=data.get("reason", ""), error=message, done=False)
        return render("participation/report.html", session, request, user=user, **context, reason="", error=None,
                      done=True)


# --- moderation --------------------------------------------------------------------------------

def _moderator_or_login(session: Session, request: Request) -> User | Redirect:
    user = page_user(session, request)
    if user is None:
        return _login_redirect(request)
    return moderation.require_moderator(user)


@get("/moderation", name="moderation:queue")
@threaded
def moderation_queue(request: Request) -> Response:
    with transaction(request) as session:
        user = _moderator_or_login(session, request)
        if isinstance(user, Redirect):
            return user
        entries = moderation.queue(session, user)
        urls = {(e.target_type, e.target_id): item_url(session, e.target_type, e.item, e.bill) for e in entries}
        return render("participation/moderation.html", session, request, user=user, entries=entries, urls=urls,
                      done=request.query_params.get("done"))


@get("/moderation/{target:str}/{target_id:int}", name="moderation:item")
@threaded
def moderation_item(request: Request, target: FromPath[str], target_id: FromPath[int]) -> Response:
    with transaction(request) as session:
        user = _moderator_or_login(session, request)
        if isinstance(user, Redirect):
            return user
        if target not in moderation.MODELS:
            raise NotFound("no moderation target '{target}'", target=target)
        item = moderation.get_item(session, target, target_id)
        decision = session.get(moderation.ModerationDecision, item.hidden_by_id) if item.hidden_by_id else None
        return render("participation/moderation_item.html", session, request, user=user, target_type=target,
                      item=item, item_url=item_url(session, target, item), decision=decision, error=None, reason="")


@post("/moderation/{target:str}/{target_id:int}/hide", name="moderation:hide")
@threaded
def moderation_hide(request: Request, target: FromPath[str], target_id: FromPath[int],
                    data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = _writer(session, request)
        moderation.require_moderator(user)
        if target not in moderation.MODELS:
            raise NotFound("no moderation target '{target}'", target=target)
        try:
            moderation.hide(session, user, target, target_id, data.get("reason", ""))
        except Invalid:  # raised before anything is written
            item = moderation.get_item(session, target, target_id)
            return render("participation/moderation_item.html", session, request, user=user, status_code=400,
                          target_type=target, item=item, item_url=item_url(session, target, item), decision=None,
                          error=FORM_MESSAGES["reason"], reason=data.get("reason", ""))
        return _back("/moderation?done=hidden")


@post("/moderation/reports/{report_id:int}/dismiss", name="moderation:dismiss")
@threaded
def moderation_dismiss(request: Request, report_id: FromPath[int], data: URLEncodedBody[dict[str, str]]) -> Response:
    with transaction(request) as session:
        user = _writer(session, request)
        moderation.dismiss(session, user, report_id, data.get("reason") or None)
        return _back("/moderation?done=dismissed")


@get("/bills/{slug:str}/trash", name="bills:trash")
@threaded
def trash_page(request: Request, slug: FromPath[str]) -> Template:
    with transaction(request) as session:
        bill = services.get_bill(session, slug)
        return render("participation/trash.html", session, request, bill=bill, items=moderation.trash(session, bill))


participation_pages: list = [
    *_target_pages("article"), *_target_pages("amendment"), useful,
    report_form, report_submit, moderation_queue, moderation_item, moderation_hide, moderation_dismiss, trash_page,
]
