"""The staff pages: creating or importing a bill, a bill's settings, and people's roles; handlers
only translate HTTP (the rules are in drafting.policy and the services)."""
from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from drafting import policy
from drafting.errors import DomainError, Invalid
from drafting.services import bills, importer, staff
from drafting.texts import MAX_BILL_TEXT, text_field
from drafting.views import staff as views
from drafting.web.render import back, is_htmx, render
from drafting.web.request import page_user, threaded, transaction

MultipartForm = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _bill_text(data: dict[str, Any]) -> str:
    """The uploaded file's text when a file was chosen, else the pasted text (UTF-8, as ``navette import``)."""
    upload = data.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        try:
            return upload.file.read(MAX_BILL_TEXT + 1).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("file", "must be a UTF-8 text file (Markdown or plain text)") from None
    return data.get("text") if isinstance(data.get("text"), str) else ""


@get("/bills/new", name="bills:new")
@threaded
def new_bill_page(request: Request) -> Template:
    with transaction(request) as session:
        policy.require_admin(page_user(session, request))
        return render("drafting/bill_new.html", session, request,
                      **views.new_bill_context({"language": "fr", "text": ""}))


@post("/bills/new", name="bills:new:submit")
@threaded
def new_bill_submit(request: Request, data: MultipartForm) -> Template | Redirect:
    """``action=preview`` shows the articles and divisions found (the fragment alone for htmx);
    ``action=create`` creates the draft bill and goes to its settings."""
    with transaction(request) as session:
        actor = policy.require_admin(page_user(session, request))
        form = {name: data.get(name) if isinstance(data.get(name), str) else ""
                for name in ("title", "slug", "summary", "language")}
        preview, error = None, None
        try:
            form["text"] = text_field("text", _bill_text(data), max_length=MAX_BILL_TEXT, strip=False)
            preview = views.bill_preview(form["text"])
            if data.get("action") == "create":
                bill = bills.create_bill(session, actor, bills.BillIn(
                    title=form["title"] or preview.title, slug=form["slug"] or None, summary=form["summary"],
                    language=form["language"] or "fr", markdown=form["text"]))
                return back(request.app.route_reverse("bills:settings", slug=bill.slug))
        except importer.NoArticlesFound as found:
            error = str(found)
        except DomainError as refused:
            session.rollback()
            error = refused.detail
        form.setdefault("text", "")
        context = views.new_bill_context(form, preview=preview, error=error)
        if is_htmx(request) and data.get("action") != "create":
            return render("drafting/_bill_preview.html", session, request, **context)
        return render("drafting/bill_new.html", session, request, status_code=400 if error else 200, **context)


@get("/bills/{slug:str}/settings", name="bills:settings")
@threaded
def settings_page(request: Request, slug: FromPath[str]) -> Template:
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        user = bills.require_author(session, bill, page_user(session, request))
        return render("drafting/bill_settings.html", session, request, user=user,
                      **views.settings_context(session, bill, user))


def _settings_patch(form: dict[str, str]) -> staff.BillPatch:
    """The settings form as a PATCH: datetime-local values are read as UTC, an empty one clears."""
    def moment(name: str) -> str | None:
        value = (form.get(name) or "").strip()
        return f"{value}+00:00" if value else None

    return staff.BillPatch(title=form.get("title", ""), summary=form.get("summary", ""),
                           language=form.get("language", ""),
                           consultation_opens_at=moment("consultation_opens_at"),
                           consultation_closes_at=moment("consultation_closes_at"))


def _settings_change(request: Request, slug: str, change, *, form: dict[str, str] | None = None,
                     anchor: str = "") -> Template | Redirect:
    """Apply ``change(session, user, bill)`` and go back to the settings; a refused value shows the
    settings again with the message (and ``form`` as sent); not being allowed is the error page."""
    with transaction(request) as session:
        bill = bills.get_bill(session, slug)
        user = page_user(session, request)
        try:
            change(session, user, bill)
        except DomainError as refused:
            if refused.status_code in (401, 403):
                raise
            session.rollback()
            bill = bills.get_bill(session, slug)  # reloaded after the rollback
            return render("drafting/bill_settings.html", session, request, status_code=refused.status_code,
                          user=user, **views.settings_context(session, bill, user, form=form, error=refused.detail))
        return back(request.app.route_reverse("bills:settings", slug=slug), anchor)


@post("/bills/{slug:str}/settings", name="bills:settings:submit")
@threaded
def settings_submit(request: Request, slug: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Template | Redirect:
    """A closing date in the past closes the consultation: the authors confirm it first, as "close now"."""
    if data.get("confirm") != "yes":
        with transaction(request) as session:
            bill = bills.get_bill(session, slug)
            user = bills.require_author(session, bill, page_user(session, request))
            if staff.patch_closes_consultation(bill, _settings_patch(data)):
                carried = {name: value for name, value in data.items() if name not in ("_csrf_token", "confirm")}
                return render("drafting/bill_status_confirm.html", session, request, user=user, bill=bill,
                              wanted="closed", status=bill.status, carried=carried,
                              confirm_action=request.app.route_reverse("bills:settings:submit", slug=slug))
    return _settings_change(request, slug, lambda session, user, bill: staff.update_bill(
        session, user, bill, _settings_patch(data)), form=data)


@post("/bills/{slug:str}/settings/authors", name="bills:settings:author")
@threaded
def add_author_submit(request: Request, slug: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Template | Redirect:
    return _settings_change(request, slug, lambda session, user, bill: bills.add_author(
        session, user, bill, data.get("username", "").strip()), anchor="authors")


@get("/admin/roles", name="people:roles")
@threaded
def roles_page(request: Request) -> Template:
    with transaction(request) as session:
        user = policy.require_admin(page_user(session, request))
        return render("drafting/roles.html", session, request, user=user, **views.roles_context(session, user))


@post("/admin/roles/{username:str}", name="people:roles:submit")
@threaded
def roles_submit(request: Request, username: FromPath[str], data: URLEncodedBody[dict[str, str]]) -> Template | Redirect:
    """The form sends ``change_admin`` / ``change_moderator`` for the roles it shows, and a checkbox
    for each role held: a role not shown is left as it is."""
    roles = staff.RolesIn(**{role: role in data for role in ("admin", "moderator") if f"change_{role}" in data})
    with transaction(request) as session:
        try:
            staff.set_roles(session, page_user(session, request), username, roles)
        except DomainError as refused:
            if refused.status_code == 401:
                raise
            session.rollback()
            user = policy.require_admin(page_user(session, request))
            return render("drafting/roles.html", session, request, status_code=refused.status_code, user=user,
                          **views.roles_context(session, user, error=refused.detail))
        return back(request.app.route_reverse("people:roles"), f"person-{username}")


staff_pages = [new_bill_page, new_bill_submit, settings_page, settings_submit, add_author_submit, roles_page,
               roles_submit]
