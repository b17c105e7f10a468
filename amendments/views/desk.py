"""What the authors' desk shows: the review by article, the merge preview, the desk panel of an amendment."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.models import AMENDMENT_STATUSES, Amendment, AmendmentEvent, AmendmentResponse, Argument
from amendments.services import desk, rebase
from amendments.services import proposing
from amendments.services.arguments import useful_counts
from amendments.views.json import amendments_json
from amendments.services.wording import bill_language
from drafting import policy
from drafting.errors import DomainError
from drafting.models import Article, ArticleVersion, Bill, User
from drafting.services import bills

STATUS_FILTERS = ("pending", *AMENDMENT_STATUSES, "all")
RECORD_KINDS = ("rebased", "conflict", "resubmitted", "superseded", "accepted", "rejected")


# --- contexts ----------------------------------------------------------------------------------

@dataclass
class ArgumentSummary:
    """Visible arguments on an amendment: how many for and against, and the most useful of each side."""

    count_for: int = 0
    count_against: int = 0
    top_for: Argument | None = None
    top_against: Argument | None = None


@dataclass
class ReviewItem:
    """One amendment as the desk shows it: its redline, support and debate."""

    amendment: Amendment
    diff: list[tuple[int, str]]
    votes: dict[str, int]
    cosigners: list[str]
    response: str | None
    arguments: ArgumentSummary
    # What the desk may do with it (drafting.policy), set for its group's article.
    changeable: bool = False
    mergeable: bool = False
    insertable: bool = False
    identical: list[int] = field(default_factory=list)  # the ids of the amendments identical to it

    @property
    def support(self) -> tuple[int, int]:
        return self.votes.get("agree", 0), len(self.cosigners)


@dataclass
class ReviewGroup:
    """An article's amendments, and the new articles proposed right after it (``article`` None: first)."""

    article: Article | None
    items: list[ReviewItem] = field(default_factory=list)
    insertions: list[ReviewItem] = field(default_factory=list)

    @property
    def mergeable(self) -> bool:
        """Some amendment of the article can be merged into a new version of it."""
        return any(item.mergeable for item in self.items)


def _status_filter(raw: str | None) -> str:
    return raw if raw in STATUS_FILTERS else "pending"


def _statuses(status_filter: str) -> tuple[str, ...]:
    if status_filter == "pending":
        return policy.statuses_allowing("accept")
    if status_filter == "all":
        return AMENDMENT_STATUSES
    return (status_filter,)


def argument_summaries(session: Session, amendment_ids: list[int]) -> dict[int, ArgumentSummary]:
    """For each amendment, counts of visible arguments by stance and the most useful one of each."""
    summaries = {i: ArgumentSummary() for i in amendment_ids}
    if not amendment_ids:
        return summaries
    arguments = list(session.scalars(
        select(Argument).where(Argument.amendment_id.in_(amendment_ids), Argument.hidden_by_id.is_(None))
        .order_by(Argument.created_at, Argument.id)
    ))
    useful = useful_counts(session, [a.id for a in arguments])
    for argument in arguments:
        summary = summaries[argument.amendment_id]
        side = "for" if argument.stance == "for" else "against"
        setattr(summary, f"count_{side}", getattr(summary, f"count_{side}") + 1)
        top = getattr(summary, f"top_{side}")
        if top is None or useful[argument.id] > useful[top.id]:
            setattr(summary, f"top_{side}", argument)
    return summaries


def review_items(session: Session, amendments: list[Amendment]) -> list[ReviewItem]:
    """Amendments with their redline, votes, co-signers and arguments, most supported first."""
    data = {body["id"]: body for body in amendments_json(session, amendments)}
    summaries = argument_summaries(session, [a.id for a in amendments])
    items = [
        ReviewItem(a, [tuple(p) for p in data[a.id]["diff"] or []], data[a.id]["votes"], data[a.id]["cosigners"],
                   data[a.id]["response"], summaries[a.id], identical=data[a.id]["identical_to"])
        for a in amendments
    ]
    items.sort(key=lambda item: (-item.support[0], -item.support[1], item.amendment.id))
    return items


def review_context(session: Session, bill: Bill, query: Mapping[str, str]) -> dict[str, Any]:
    """For templates/amendments/desk/review.html: ``bill``, ``groups`` (ReviewGroup in bill order,
    only those with amendments), ``status_filter`` and ``status_filters`` (the choices), ``counts``
    (amendments per status), ``next_label`` (for publishing the next bill version) and ``versions``."""
    status_filter = _status_filter(query.get("status"))
    articles = bills.bill_articles(session, bill, include_removed=True)
    amendments = list(session.scalars(
        select(Amendment).where(Amendment.bill_id == bill.id, Amendment.hidden_by_id.is_(None),
                                Amendment.status.in_(_statuses(status_filter)))
    ))
    by_article: dict[int | None, list[Amendment]] = defaultdict(list)
    after: dict[int | None, list[Amendment]] = defaultdict(list)
    for amendment in amendments:
        if amendment.kind == "insert":
            after[amendment.after_article_id].append(amendment)
        else:
            by_article[amendment.article_id].append(amendment)
    items = {item.amendment.id: item for item in review_items(session, amendments)}

    def ordered(group: list[Amendment], article: Article | None) -> list[ReviewItem]:
        for amendment in group:
            item = items[amendment.id]
            item.changeable = policy.amendment_changeable(amendment)
            item.mergeable = policy.may_merge(True, amendment, article)
            item.insertable = policy.may_merge_insertion(True, amendment)
        return sorted((items[a.id] for a in group), key=lambda i: (-i.support[0], -i.support[1], i.amendment.id))

    groups = []
    if after.get(None):
        groups.append(ReviewGroup(None, [], ordered(after[None], None)))
    for article in articles:
        if by_article.get(article.id) or after.get(article.id):
            groups.append(ReviewGroup(article, ordered(by_article.get(article.id, []), article),
                                      ordered(after.get(article.id, []), None)))
    counts = dict.fromkeys(AMENDMENT_STATUSES, 0)
    counts.update(session.execute(
        select(Amendment.status, func.count()).where(Amendment.bill_id == bill.id, Amendment.hidden_by_id.is_(None))
        .group_by(Amendment.status)
    ).all())
    versions = bills.bill_versions(session, bill)
    return {
        "bill": bill,
        "groups": groups,
        "status_filter": status_filter,
        "status_filters": STATUS_FILTERS,
        "counts": counts,
        "versions": versions,
        "next_label": f"Version {len(versions) + 1}",
    }


@dataclass
class ConflictShown:
    """A ticked amendment that could not be applied: its passages side by side, and why."""

    amendment: Amendment
    passages: tuple[engine.Conflict, ...]
    reason: str | None = None  # desk.BASE_TOO_OLD or desk.OVERLAP
    with_amendment: int | None = None


@dataclass
class HunkChoice:
    """One independent change of a ticked amendment, to merge or leave out."""

    hunk: engine.Hunk
    ticked: bool


def ticked_hunks(parts: list[str], ticked: list[str]) -> dict[int, list[int]]:
    """The hunks ticked on the merge page: for each amendment whose hunks were shown (``parts``), the
    indexes ticked (``hunk`` values "amendment:index"); the other amendments merge whole."""
    shown = {int(p) for p in parts if p.strip().isdigit()}
    chosen: dict[int, list[int]] = {i: [] for i in shown}
    for value in ticked:
        amendment_id, _, index = value.partition(":")
        if amendment_id.strip().isdigit() and index.strip().isdigit() and int(amendment_id) in shown:
            chosen[int(amendment_id)].append(int(index))
    return chosen


def merge_context(session: Session, bill: Bill, article: Article, selected: list[int], *,
                  text: str | None = None, message: str = "", error: str | None = None,
                  conflict_ids: list[int] | None = None, hunks: dict[int, list[int]] | None = None) -> dict[str, Any]:
    """For templates/amendments/desk/merge.html and its fragment _merge_preview.html: ``bill``,
    ``article``, ``head`` (ArticleVersion), ``candidates`` (ReviewItem: open and conflicting
    amendments, most supported first), ``selected`` (ids, in merge order), ``preview`` (diff of the
    head into the combined text, or None), ``conflicts`` (ConflictShown), ``final_text`` (for the
    editable text), ``deletes`` (the selection deletes the article), ``message``, ``error``;
    ``hunk_choices`` (amendment id → HunkChoice, for ticked amendments of several changes), ``hunks``
    (the ticked ones, "id:index" joined for the publish form, and ``parts``), ``applied`` (ids that
    applied when some did not: the preview keeps them)."""
    head = bills.head_version(session, article)
    candidates = review_items(session, list(session.scalars(
        select(Amendment).where(Amendment.article_id == article.id, Amendment.hidden_by_id.is_(None),
                                Amendment.status.in_(policy.statuses_allowing("accept")))
    )))
    known = {item.amendment.id: item.amendment for item in candidates}
    chosen = [known[i] for i in selected if i in known]
    conflicts: list[ConflictShown] = []
    preview = None
    deletes = False
    combined_text = head.text
    hunks = {i: indexes for i, indexes in (hunks or {}).items() if i in selected}
    applied: list[int] = []
    hunk_choices: dict[int, list[HunkChoice]] = {}
    language = bill_language(bill)
    for amendment in chosen:
        if amendment.kind == "modify" and amendment.parent_id is None:
            found = engine.hunks(proposing.base_text(session, amendment), amendment.text, language)
            if len(found) > 1:
                keep = set(hunks.get(amendment.id, [h.index for h in found]))
                hunk_choices[amendment.id] = [HunkChoice(h, h.index in keep) for h in found]
    if chosen:
        try:
            to_merge = desk.amendments_to_merge(session, article, [a.id for a in chosen], lock=False)
            combination = desk.combine(session, article, to_merge, hunks)
        except DomainError as problem:
            error = error or problem.detail
        else:
            deletes = combination.deletes_article
            if combination.clean:
                combined_text = combination.text
                preview = engine.diff_words(head.text, combination.text)
            else:  # keep the good: the others stay applied, the conflicting ones shown side by side
                combined_text = combination.kept_text
                preview = engine.diff_words(head.text, combination.kept_text)
                applied = combination.applied
                conflicts = [ConflictShown(known[f.amendment_id], f.conflicts, f.reason, f.with_amendment)
                             for f in combination.failures]
    for amendment_id in conflict_ids or []:
        if amendment_id in known and all(c.amendment.id != amendment_id for c in conflicts):
            conflicts.append(ConflictShown(known[amendment_id], ()))
    return {
        "bill": bill,
        "article": article,
        "head": head,
        "candidates": candidates,
        "selected": [a.id for a in chosen],
        "preview": preview,
        "conflicts": conflicts,
        "final_text": text if text is not None else combined_text,
        "deletes": deletes,
        "message": message,
        "error": error,
        "hunk_choices": hunk_choices,
        "parts": ",".join(str(i) for i in hunk_choices),
        "hunks": ",".join(f"{i}:{c.hunk.index}" for i, choices in hunk_choices.items() for c in choices if c.ticked),
        "applied": applied,
    }


@dataclass
class RecordEntry:
    """One line of an amendment's record of rebases and decisions."""

    event: AmendmentEvent
    conflict: dict[str, Any] | None = None


@dataclass
class DeskPanel:
    """What templates/amendments/_desk_panel.html shows on an amendment's page."""

    amendment: Amendment
    bill: Bill
    article: Article | None
    head: ArticleVersion | None
    can_review: bool
    can_resubmit: bool
    can_merge: bool
    can_merge_insert: bool
    can_reject: bool
    conflict: dict[str, Any] | None
    resubmit_text: str
    responses: list[AmendmentResponse]
    record: list[RecordEntry]


def amendment_desk_context(session: Session, amendment: Amendment, user: User | None) -> dict[str, Any]:
    """For templates/amendments/_desk_panel.html: ``desk`` (DeskPanel): for the proposer why it is in
    conflict and a resubmit form against the head; for the bill's authors the reject, respond and
    merge actions; for everyone the public answers and the record of rebases."""
    bill = session.get(Bill, amendment.bill_id)
    article = session.get(Article, amendment.article_id) if amendment.article_id else None
    head = bills.head_version(session, article) if article is not None else None
    can_review = bills.is_bill_staff(session, bill, user)
    events = [e for e in proposing.events(session, amendment) if e.kind in RECORD_KINDS]
    record = [RecordEntry(e, rebase.parse_conflict_detail(e.detail) if e.kind == "conflict" else None)
              for e in events]
    conflict = None
    if amendment.status == "conflict":
        conflict = next((entry.conflict for entry in reversed(record) if entry.conflict is not None),
                        rebase.parse_conflict_detail(""))
    responses = list(session.scalars(
        select(AmendmentResponse).where(AmendmentResponse.amendment_id == amendment.id)
        .order_by(AmendmentResponse.created_at, AmendmentResponse.id)
    ))
    return {"desk": DeskPanel(
        amendment=amendment, bill=bill, article=article, head=head, can_review=can_review,
        can_resubmit=policy.may_resubmit(user, amendment, bill, article),
        can_merge=policy.may_merge(can_review, amendment, article),
        can_merge_insert=policy.may_merge_insertion(can_review, amendment),
        can_reject=can_review and policy.can_transition(amendment.status, "reject"),
        conflict=conflict,
        resubmit_text=(head.text if amendment.status == "conflict" and head else amendment.text),
        responses=responses, record=record,
    )}


