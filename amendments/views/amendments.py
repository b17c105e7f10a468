"""What the amendment pages show (documented contexts), gathered in a bounded number of queries."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.services import following, proposing
from amendments.views.authors_desk import amendment_authoring_context
from amendments.views.desk import amendment_desk_context
from amendments.views.participation import amendment_participation_context
from amendments.models import AMENDMENT_STATUSES, Amendment, ModerationDecision
from amendments.services.participation import vote_tallies
from drafting.services import bills
from drafting.services.participants import assisted_participants
from drafting import policy
from drafting.texts import normalise
from drafting.errors import Invalid
from drafting.models import Article, ArticleVersion, Bill, User
from drafting.web.urls import Reverse

KINDS = ("modify", "delete", "insert")
AMENDMENTS_PER_PAGE = 20  # on the article page


@dataclass(frozen=True)
class AmendmentItem:
    """One line of an article's list of proposing."""

    amendment: Amendment
    cosigner_count: int
    votes: dict[str, int]


def _page_number(raw: str | None) -> int:
    """``?amendment_page=N``: a positive whole number, 1 otherwise."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 1_000_000 else 1


def article_amendments_context(session: Session, bill: Bill, article: Article, user: User | None,
                               query: Mapping[str, str]) -> dict[str, Any]:
    """For templates/amendments/_article_amendments.html: ``amendment_items`` (AmendmentItem, one page of
    the visible amendments of the article and new articles proposed after it), ``amendment_sort``
    ("recent" or "votes", from ``?amendment_sort=``), ``amendment_status`` (filter from
    ``?amendment_status=``, or None), ``amendment_statuses`` (the choices), ``amendment_page`` (from
    ``?amendment_page=``, brought back to the last page), ``amendment_pages``, ``amendment_total`` and
    ``amendment_page_url`` (page number → query string keeping the sort and filter), ``can_propose`` (the
    consultation is open and the article present) and ``consultation_open``.

    One COUNT, one page of rows (LIMIT/OFFSET, proposer joined), then co-signer counts and vote tallies
    for that page's rows only: a constant number of queries whatever the number of proposing."""
    try:
        sort = proposing.check_sort(query.get("amendment_sort"))
    except Invalid:
        sort = "recent"
    try:
        status = proposing.check_status_filter(query.get("amendment_status"))
    except Invalid:
        status = None
    total = proposing.count_article_amendments(session, article, status=status, include_insertions=True)
    pages = max(1, math.ceil(total / AMENDMENTS_PER_PAGE))
    page = min(_page_number(query.get("amendment_page")), pages)
    found = proposing.list_article_amendments(session, article, status=status, sort=sort,
                                               include_insertions=True, limit=AMENDMENTS_PER_PAGE,
                                               offset=(page - 1) * AMENDMENTS_PER_PAGE) if total else []
    ids = [a.id for a in found]
    counts = proposing.cosigner_counts(session, ids)
    tallies = vote_tallies(session, "amendment", ids)
    kept = {key: value for key, value in (("amendment_sort", sort if sort != "recent" else None),
                                          ("amendment_status", status)) if value}

    def page_url(number: int) -> str:
        params = {**kept, **({"amendment_page": number} if number > 1 else {})}
        return f"?{urlencode(params)}" if params else ""

    return {
        "amendment_items": [AmendmentItem(a, counts[a.id], tallies[a.id]) for a in found],
        "amendment_sort": sort,
        "amendment_status": status,
        "amendment_statuses": AMENDMENT_STATUSES,
        "amendment_page": page,
        "amendment_pages": pages,
        "amendment_total": total,
        "amendment_page_url": page_url,
        "can_propose": policy.may_propose(bill, article),
        "consultation_open": policy.consultation_open(bill),
    }


def amendment_context(session: Session, amendment: Amendment, user: User | None, reverse: Reverse, *,
                      view: str | None = None, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    """For templates/amendments/detail.html: ``amendment``, ``bill``, ``article`` (None for a new
    article), ``anchor`` (the article a new one goes after, or None), ``diff`` (base text → proposal),
    ``view`` ("inline" or "side"), ``base_label``, ``cosigners`` (users), ``events``, ``votes``, ``hidden`` (the ModerationDecision or None),
    ``can_withdraw``; plus what participation_pages.amendment_participation_context and
    desk_pages.amendment_desk_context add."""

    bill = session.get(Bill, amendment.bill_id)
    article = session.get(Article, amendment.article_id) if amendment.article_id else None
    anchor = session.get(Article, amendment.after_article_id) if amendment.after_article_id else None
    hidden = session.get(ModerationDecision, amendment.hidden_by_id) if amendment.hidden_by_id else None
    participation = amendment_participation_context(session, amendment, user, reverse)
    return {
        **participation,
        **amendment_desk_context(session, amendment, user),
        **amendment_authoring_context(session, amendment, user, query or {}),
        "amendment": amendment,
        "bill": bill,
        "article": article,
        "anchor": anchor,
        "diff": [] if hidden else proposing.amendment_diff(session, amendment),
        "view": "side" if view == "side" else "inline",
        "cosigners": proposing.cosigners(session, amendment),
        "events": proposing.events(session, amendment),
        "votes": participation["participation"].votes,  # the tally the vote bar counted already
        "hidden": hidden,
        "can_withdraw": policy.may_withdraw(user, amendment),
        "follow": following.follow_state(session, user, "amendment", amendment),
    }


def _base_version(session: Session, article: Article, raw: str | None) -> ArticleVersion:
    """The version named by a form's hidden ``base_version`` field, the head if absent or unknown."""
    if raw and raw.strip().isdigit():
        found = session.scalar(select(ArticleVersion).where(
            ArticleVersion.article_id == article.id, ArticleVersion.version == int(raw)))
        if found is not None:
            return found
    return bills.head_version(session, article)


def proposal_context(session: Session, bill: Bill, article: Article, form: Mapping[str, str],
                     *, error: str | None = None, user: User | None = None) -> dict[str, Any]:
    """For templates/amendments/propose.html, preview.html and the _redline.html preview: ``bill``,
    ``article``, ``kind`` (modify, delete, insert), ``base`` (the ArticleVersion written on),
    ``form`` (the values to show: title, heading, text, explanation), ``diff`` (base → proposal, or
    "" → text for a new article), ``unchanged`` (the text still equals its base), ``too_long`` and
    ``error``; ``assisted``: for the bill's staff (``user``), the in-person participants the
    proposal may be entered for (``on_behalf_of``). Without ``text`` in ``form`` the editor starts
    from the base text."""
    kind = form.get("kind") if form.get("kind") in KINDS else "modify"
    base = _base_version(session, article, form.get("base_version"))
    if "text" in form:
        text = normalise(form["text"])
    else:
        text = "" if kind == "insert" else base.text
    too_long = len(text) > proposing.MAX_TEXT
    if kind == "delete":
        diff = engine.diff_words(base.text, "")
    elif too_long:
        diff = []
    elif kind == "insert":
        diff = engine.diff_words("", text)
    else:
        diff = engine.diff_words(base.text, text)
    return {
        "bill": bill,
        "article": article,
        "kind": kind,
        "base": base,
        "form": {
            "title": form.get("title", ""),
            "heading": form.get("heading", ""),
            "text": text,
            "explanation": form.get("explanation", ""),
            "on_behalf_of": form.get("on_behalf_of", ""),
        },
        "assisted": assisted_participants(session, bill)
        if user is not None and bills.is_bill_staff(session, bill, user) else [],
        "diff": diff,
        "unchanged": kind == "modify" and text == base.text,
        "too_long": too_long,
        "max_text": proposing.MAX_TEXT,
        "error": error,
    }
