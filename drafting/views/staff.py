"""What the staff pages show (documented contexts): the new-bill form and its preview, a bill's
settings, the roles of people, and the time left before a consultation opens or closes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy.orm import Session

from drafting import db, policy
from drafting.models import Bill, User
from drafting.services import bills, importer, staff

# <input type="datetime-local"> sends and shows this form; the page says the times are UTC.
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True)
class TimeLeft:
    """The next date of a consultation: ``event`` "opens" or "closes", ``at`` (UTC), and the time
    until then as ``count`` ``unit`` ("days", "hours" or "minutes", rounded down, at least 1 minute)."""

    event: str
    at: datetime
    count: int
    unit: str


def time_left(bill: Bill, now: datetime) -> TimeLeft | None:
    """When the consultation next opens (a draft or closed bill with a later opening date) or closes
    (an open bill with a closing date); None when no date is ahead."""
    status = policy.bill_status(bill, now)
    if status == "open" and bill.consultation_closes_at is not None:
        event, at = "closes", bill.consultation_closes_at
    elif status != "open" and bill.consultation_opens_at is not None and bill.consultation_opens_at > now:
        event, at = "opens", bill.consultation_opens_at
    else:
        return None
    seconds = max((at - now).total_seconds(), 60)
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= size:
            return TimeLeft(event, at, int(seconds // size), unit)
    return None  # pragma: no cover - seconds is at least 60


@dataclass
class PreviewDivision:
    """A division found in a pasted text (``None`` for the articles before any division)."""

    division: importer.ParsedDivision | None
    articles: list[importer.ParsedArticle] = field(default_factory=list)


@dataclass
class BillPreview:
    """What ``navette import`` would make of a text: its divisions with their articles, in order."""

    article_count: int
    division_count: int
    groups: list[PreviewDivision]
    title: str  # the text's own title (its first level-1 heading), or ""


def bill_preview(text: str) -> BillPreview:
    """The articles and divisions the importer finds; ``importer.NoArticlesFound`` when there are none."""
    parsed = importer.parse_bill_text(text)
    groups = {None: PreviewDivision(None)}
    for division in parsed.divisions:
        groups[division.key] = PreviewDivision(division)
    for article in parsed.articles:
        groups[article.division].articles.append(article)
    shown = [g for g in groups.values() if g.division is not None or g.articles]
    return BillPreview(len(parsed.articles), len(parsed.divisions), shown, parsed.title)


def new_bill_context(form: Mapping[str, Any], *, preview: BillPreview | None = None,
                     error: str | None = None) -> dict[str, Any]:
    """``form`` (title, slug, summary, language, text: what was sent), ``preview`` (a BillPreview or
    None), ``error`` (a message or None) and ``bill_languages``."""
    return {"form": form, "preview": preview, "error": error, "bill_languages": policy.BILL_LANGUAGES}


def local_input(moment: datetime | None) -> str:
    return moment.astimezone(timezone.utc).strftime(LOCAL_INPUT) if moment else ""


def settings_context(session: Session, bill: Bill, user: User | None, *, form: Mapping[str, Any] | None = None,
                     error: str | None = None, notice: str | None = None) -> dict[str, Any]:
    """``bill``, ``status`` (by its dates), ``form`` (title, summary, language and the dates as
    datetime-local values in UTC: the bill's, or what was sent), ``authors``, ``bill_languages``,
    ``can_open`` / ``can_close`` (policy), ``time_left``, ``error`` and ``notice``."""
    now = db.utcnow()
    shown = {
        "title": bill.title, "summary": bill.summary, "language": bills.bill_language(bill),
        "consultation_opens_at": local_input(bill.consultation_opens_at),
        "consultation_closes_at": local_input(bill.consultation_closes_at),
        **(form or {}),
    }
    return {
        "bill": bill,
        "status": policy.bill_status(bill),
        "form": shown,
        "authors": bills.bill_authors(session, bill),
        "bill_languages": policy.BILL_LANGUAGES,
        "can_open": policy.can_change_bill_status(bill, "open"),
        "can_close": policy.can_change_bill_status(bill, "closed"),
        "time_left": time_left(bill, now),
        "error": error,
        "notice": notice,
    }


@dataclass(frozen=True)
class PersonRoles:
    """A row of the roles page: the person, and which of their roles ``viewer`` may change."""

    person: User
    can_change_admin: bool
    can_change_moderator: bool


def roles_context(session: Session, viewer: User, *, error: str | None = None) -> dict[str, Any]:
    """``people``: a PersonRoles per account (staff first), ``error``."""
    people = [PersonRoles(p, policy.may_change_role(viewer, p, "admin"), policy.may_change_role(viewer, p, "moderator"))
              for p in staff.list_people(session)]
    return {"people": people, "error": error}
