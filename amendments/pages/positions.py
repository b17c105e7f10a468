"""The page of one position of the argument map: its members, its history, and the forms with which the
bill's authors merge, split and rename it (each form posts for real and answers 303)."""
from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from sqlalchemy.orm import Session

from amendments.pages.participation import writer
from amendments.services import position_staff
from amendments.services.arguments import supporters_of, useful_marked_by
from amendments.views import participation as participation_views
from amendments.views import positions as views
from drafting.errors import Conflict, Invalid
from drafting.models import User
from drafting.web.render import back, render
from drafting.web.request import page_user, threaded, transaction

FORM_MESSAGES = {
    "label": "Donnez un intitulé (300 caractères au plus).",
    "arguments": "Cochez les arguments à séparer, sans les cocher tous.",
    "positions": "Choisissez une autre position du même côté.",
}


def _page(session: Session, request: Request, position_id: int, user: User | None, status_code: int = 200,
          errors: dict[str, str] | None = None) -> Response:
    page = views.position_page(session, position_id, user)
    page.errors = errors or {}
    participation = participation_views.build(session, page.target, user, request.app.route_reverse, votes=False,
                                              arguments=False, sources=False)
    ids = [argument.id for argument in page.members]
    participation.supporters = supporters_of(session, ids)
    participation.useful_mine = useful_marked_by(session, user, ids)
    return render("participation/position.html", session, request, status_code=status_code, user=user, page=page,
                  participation=participation)


@get("/positions/{position_id:int}", name="positions:detail")
@threaded
def position_detail(request: Request, position_id: FromPath[int]) -> Response:
    with transaction(request) as session:
        return _page(session, request, position_id, page_user(session, request))


def _values(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    values = value if isinstance(value, list) else [value]
    return [int(v) if isinstance(v, str) and v.isdigit() else v for v in values if v != ""]


def _correct(request: Request, position_id: int, data: dict[str, Any], change) -> Response:
    with transaction(request) as session:
        user = writer(session, request)
        try:
            moved = change(session, user, data)
        except (Invalid, Conflict) as error:  # raised before anything is written
            field = error.field or "form"
            return _page(session, request, position_id, user, status_code=400,
                         errors={field: FORM_MESSAGES.get(field, error.detail)})
        return back(request.app.route_reverse("positions:detail", position_id=moved.id))


@post("/positions/{position_id:int}/merge", name="positions:merge")
@threaded
def merge_form(request: Request, position_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]) -> Response:
    return _correct(request, position_id, data, lambda session, user, form: position_staff.merge(
        session, user, [position_id, *_values(form, "other")] if _values(form, "other") else [position_id]))


@post("/positions/{position_id:int}/split", name="positions:split")
@threaded
def split_form(request: Request, position_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]) -> Response:
    return _correct(request, position_id, data, lambda session, user, form: position_staff.split(
        session, user, position_id, _values(form, "argument") or None))


@post("/positions/{position_id:int}/label", name="positions:label")
@threaded
def label_form(request: Request, position_id: FromPath[int], data: URLEncodedBody[dict[str, Any]]) -> Response:
    return _correct(request, position_id, data, lambda session, user, form: position_staff.rename(
        session, user, position_id, form.get("label", "")))


position_pages = [position_detail, merge_form, split_form, label_form]
