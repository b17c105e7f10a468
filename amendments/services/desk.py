"""The authors' desk: new article versions (direct edits and merges), insertions, rejections, answers.

Every new article version, whatever its path, ends with ``rebase.rebase_open_amendments``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from amendments import engine
from amendments.services import falling, partial, proposing
from amendments.models import Amendment, AmendmentEvent, AmendmentResponse, MergedAmendment
from amendments.services.rebase import rebase_open_amendments
from drafting.services import bills, search
from drafting import policy
from drafting.errors import Conflict, Invalid
from drafting.models import Article, ArticleVersion, Bill, User
from drafting.texts import MAX_MESSAGE, normalise, text_field

MAX_RESPONSE = 20_000


BASE_TOO_OLD, OVERLAP = "base_too_old", "overlap"


@dataclass(frozen=True)
class Failure:
    """Why one amendment of a merge could not be applied: ``base_too_old`` (the head changed the same
    words since its base version) or ``overlap`` (with ``with_amendment``, applied before it)."""

    amendment_id: int
    reason: str
    with_amendment: int | None
    conflicts: tuple[engine.Conflict, ...]

    def json(self) -> dict:
        return {"amendment": self.amendment_id, "reason": self.reason, "with": self.with_amendment,
                "passages": [{"base": c.base, "ours": c.ours, "theirs": c.theirs} for c in self.conflicts]}


@dataclass
class Combination:
    """The listed amendments applied in order onto a head: the text, or the ones that conflict
    (``kept_text``: the head with every amendment that did apply, the good kept)."""

    head: ArticleVersion
    amendments: list[Amendment]
    text: str | None
    deletes_article: bool = False
    conflicts: dict[int, tuple[engine.Conflict, ...]] = field(default_factory=dict)
    kept_text: str | None = None
    applied: list[int] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts

    def report(self) -> dict:
        """The auto-apply report: those that applied, those that could not and why."""
        return {"conflicts": list(self.conflicts), "applied": self.applied,
                "failed": [failure.json() for failure in self.failures]}


def get_amendment(session: Session, amendment_id: int, *, for_update: bool = False) -> Amendment:
    """The amendment (404 if unknown); ``for_update`` locks its row before a state change (PostgreSQL)."""
    amendment = proposing.get_amendment(session, amendment_id)
    if for_update:  # FOR UPDATE OF amendments: the joined author row stays unlocked
        session.execute(select(Amendment.id).where(Amendment.id == amendment.id).with_for_update())
        session.refresh(amendment)
    return amendment


def amendments_to_merge(session: Session, article: Article, ids: list[int], *, lock: bool = True) -> list[Amendment]:
    """The amendments named in ``merge``, in the order given, checked to belong to this article
    (``lock``: their rows stay locked until the transaction ends, on PostgreSQL)."""
    if len(set(ids)) != len(ids):
        raise Invalid("merge", "lists the same amendment twice")
    query = select(Amendment).where(Amendment.id.in_(ids))
    found = {a.id: a for a in session.scalars(query.with_for_update(of=Amendment) if lock else query)} if ids else {}
    amendments = []
    for amendment_id in ids:
        amendment = found.get(amendment_id)
        if amendment is None:
            raise Invalid("merge", "there is no amendment {amendment_id}", amendment_id=amendment_id)
        if amendment.kind == "insert":
            raise Invalid("merge", "amendment {amendment_id} proposes a new article: merge it with "
                                   "POST /api/v1/amendments/{{id}}/merge-insert", amendment_id=amendment_id)
        if amendment.article_id != article.id:
            raise Invalid("merge", "amendment {amendment_id} is not an amendment of article {id}",
                          amendment_id=amendment_id, id=article.id)
        if amendment.hidden_by_id is not None:
            raise Conflict("merge: amendment {amendment_id} was hidden by moderation", amendment_id=amendment_id)
        policy.transition(amendment.status, "accept")  # 409 unless it may still be merged
        amendments.append(amendment)
    subs = [a.id for a in amendments if a.parent_id is not None]
    if subs:
        raise Invalid("merge", "a sub-amendment is incorporated into its parent, not merged into the article")
    if len(amendments) > 1 and any(a.kind == "delete" for a in amendments):
        raise Invalid("merge", "an amendment deleting the article is merged on its own")
    return amendments


def chosen_texts(amendments: list[Amendment], bases: dict[int, str], hunks: dict[int, list[int]]) -> dict[int, str]:
    """The text each amendment brings to a merge: its own, or its base with only the chosen hunks."""
    unknown = set(hunks) - {a.id for a in amendments}
    if unknown:
        raise Invalid("hunks", "names an amendment that is not merged")
    texts = {}
    for amendment in amendments:
        if amendment.id not in hunks:
            texts[amendment.id] = amendment.text
            continue
        if amendment.kind != "modify":
            raise Invalid("hunks", "only an amendment modifying an article is merged in part")
        try:
            texts[amendment.id] = engine.apply_hunks(bases.get(amendment.base_version, ""), amendment.text,
                                                     hunks[amendment.id])
        except IndexError:
            raise Invalid("hunks", "names a hunk the amendment does not have") from None
    return texts


def _failure(base: str, text: str, amendment: Amendment, head: ArticleVersion,
             steps: list[tuple[int, str]], conflicts: tuple[engine.Conflict, ...]) -> Failure:
    """Why an amendment did not apply: against the head alone (base too old), or after which one."""
    if not engine.merge3(base, text, head.text).clean:
        return Failure(amendment.id, BASE_TOO_OLD, None, conflicts)
    for other_id, after in steps:
        if not engine.merge3(base, text, after).clean:
            return Failure(amendment.id, OVERLAP, other_id, conflicts)
    return Failure(amendment.id, OVERLAP, steps[-1][0] if steps else None, conflicts)


def combine(session: Session, article: Article, amendments: list[Amendment],
            hunks: dict[int, list[int]] | None = None) -> Combination:
    """Apply the amendments in order onto the head, each rebased by the three-way merge (CONTRACT §3);
    ``hunks``: only those changes of these amendments."""
    head = bills.head_version(session, article)
    if len(amendments) == 1 and amendments[0].kind == "delete":
        return Combination(head, amendments, "", deletes_article=True)
    bases = {}
    wanted = {a.base_version for a in amendments if a.base_version}
    if wanted:
        bases = dict(session.execute(
            select(ArticleVersion.version, ArticleVersion.text)
            .where(ArticleVersion.article_id == article.id, ArticleVersion.version.in_(wanted))
        ).all())
    texts = chosen_texts(amendments, bases, hunks or {})
    current = head.text
    conflicts: dict[int, tuple[engine.Conflict, ...]] = {}
    steps: list[tuple[int, str]] = []
    failures = []
    for amendment in amendments:
        base = bases.get(amendment.base_version, "")
        result = engine.merge3(base, texts[amendment.id], current)
        if result.clean:
            current = result.text
            steps.append((amendment.id, current))
        else:
            conflicts[amendment.id] = result.conflicts
            failures.append(_failure(base, texts[amendment.id], amendment, head, steps, result.conflicts))
    return Combination(head, amendments, None if conflicts else current, conflicts=conflicts, kept_text=current,
                       applied=[amendment_id for amendment_id, _ in steps], failures=failures)


def publish_article_version(
    session: Session,
    actor: User | None,
    article: Article,
    *,
    expected_version: int,
    message: str,
    text: str | None,
    merge: list[int],
    hunks: dict[int, list[int]] | None = None,
) -> ArticleVersion:
    """A new version of an article by its bill's authors: a direct edit with ``text``, or a merge.

    With ``merge`` and no ``text`` the amendments are applied in order onto the head (409 listing
    the ones that conflict, nothing changed); with ``text`` that text is the version and the listed
    amendments are credited. Merged amendments become ``accepted``; open ones are then rebased.
    """
    bill = session.get(Bill, article.bill_id)
    user = bills.require_author(session, bill, actor)
    return _publish(session, user, article, expected_version=expected_version, message=message, text=text,
                    merge=merge, hunks=hunks)


def _publish(session: Session, user: User, article: Article, *, expected_version: int, message: str,
             text: str | None, merge: list[int], hunks: dict[int, list[int]] | None = None) -> ArticleVersion:
    """``publish_article_version`` once the caller is known to be one of the bill's staff."""
    session.refresh(article, with_for_update=True)  # one publisher at a time per article
    if expected_version != article.current_version:
        raise Conflict(
            "expected_version: the head is version {current_version}, not {expected_version}",
            current_version=article.current_version, expected_version=expected_version,
            field="expected_version",
        )
    message = text_field("message", message, required=False, max_length=MAX_MESSAGE)
    amendments = amendments_to_merge(session, article, merge)
    choices = partial.choose(session, amendments, hunks)
    if text is not None:
        if any(a.kind == "delete" for a in amendments):
            raise Invalid("text", "an amendment deleting the article is merged without a text")
        new_text, deletes = bills.check_new_text(text), False
        if new_text == bills.head_version(session, article).text and not article.removed:
            raise Invalid("text", "is the same as the current version")
    elif amendments:
        combination = combine(session, article, amendments, hunks)
        if not combination.clean:
            raise Conflict(
                "merge: some amendments change the same words as the head or as an amendment merged before "
                "them; give the final text or resubmit them",
                extra=combination.report(),
            )
        new_text, deletes = combination.text, combination.deletes_article
        if deletes and article.removed:
            raise Conflict("merge: the article is already deleted")
        if not deletes and new_text == combination.head.text:
            raise Invalid("merge", "these amendments change nothing in the current version")
    else:
        raise Invalid("text", "is required when nothing is merged")

    version = bills.append_article_version(
        session, user, article, expected_version,
        bills.NewVersion(text=new_text, message=message, deletes_article=deletes),
    )
    for position, amendment in enumerate(amendments):
        session.add(MergedAmendment(article_version_id=version.id, amendment_id=amendment.id, position=position))
        session.add(AmendmentEvent(amendment_id=amendment.id, kind="accepted", actor_id=user.id,
                                   from_version=amendment.base_version, to_version=version.version))
        amendment.status = policy.transition(amendment.status, "accept")
        amendment.partial = amendment.id in choices and choices[amendment.id].partial
        partial.record(session, version, amendment.id, choices.get(amendment.id))
    session.flush()
    for amendment in amendments:
        falling.fall_subamendments(session, amendment, user.id)
    rebase_open_amendments(session, article, version, user,
                           deleted_by=amendments[0].id if deletes and amendments else None)
    return version


def _response_text(response: str | None) -> str:
    return text_field("response", response, max_length=MAX_RESPONSE)


def reject_amendment(session: Session, actor: User | None, amendment: Amendment, response: str | None) -> Amendment:
    """The bill's authors reject an amendment, always with a public response."""
    bill = session.get(Bill, amendment.bill_id)
    user = bills.require_author(session, bill, actor)
    body = _response_text(response)
    amendment.status = policy.transition(amendment.status, "reject")
    session.add(AmendmentResponse(amendment_id=amendment.id, body=body, kind="reject", author_id=user.id))
    session.add(AmendmentEvent(amendment_id=amendment.id, kind="rejected", actor_id=user.id,
                               from_version=amendment.base_version))
    session.flush()
    falling.fall_subamendments(session, amendment, user.id)
    return amendment


def respond_to_amendment(session: Session, actor: User | None, amendment: Amendment,
                         response: str | None) -> Amendment:
    """A public answer of the bill's authors, whatever the amendment's state; its state is unchanged."""
    bill = session.get(Bill, amendment.bill_id)
    user = bills.require_author(session, bill, actor)
    body = _response_text(response)
    session.add(AmendmentResponse(amendment_id=amendment.id, body=body, kind="respond", author_id=user.id))
    session.flush()
    return amendment


def _position_after(session: Session, bill: Bill, after: Article | None) -> int:
    """A free position right after ``after`` (or first); positions are renumbered by tens if none is free."""
    articles = bills.bill_articles(session, bill, include_removed=True)
    index = next((i for i, a in enumerate(articles) if after is not None and a.id == after.id), -1)
    low = articles[index].position if index >= 0 else 0
    high = articles[index + 1].position if index + 1 < len(articles) else low + 20
    if high - low >= 2:
        return (low + high) // 2
    for number, article in enumerate(articles, start=1):
        article.position = number * 10
    session.flush()
    return (index + 1) * 10 + 5


def merge_insertion(session: Session, actor: User | None, amendment: Amendment, number: str | None,
                    message: str | None) -> Article:
    """An amendment proposing a new article becomes that article, at its place, version 1 credited to it."""
    bill = session.get(Bill, amendment.bill_id)
    user = bills.require_author(session, bill, actor)
    if amendment.kind != "insert":
        raise Invalid("amendment", "only an amendment proposing a new article is merged this way")
    policy.require_visible(amendment)
    status = policy.transition(amendment.status, "accept")
    number = text_field("number", number, max_length=40)
    message = text_field("message", message, required=False, max_length=MAX_MESSAGE)
    taken = session.scalar(select(Article.id).where(
        Article.bill_id == bill.id, Article.number == number, Article.removed.is_(False)))
    if taken is not None:
        raise Conflict("number: the bill already has an article {number}", number=number, field="number")
    after = session.get(Article, amendment.after_article_id) if amendment.after_article_id else None
    if after is not None and after.bill_id != bill.id:
        after = None
    if after is not None:
        division_id = after.division_id
    else:
        first = bills.bill_articles(session, bill, include_removed=True)
        division_id = first[0].division_id if first else None
    article = Article(bill_id=bill.id, number=number, heading=amendment.heading or "",
                      position=_position_after(session, bill, after), current_version=1,
                      division_id=division_id)
    session.add(article)
    session.flush()
    version = ArticleVersion(article_id=article.id, version=1, text=amendment.text,
                             author_id=user.id, message=message)
    session.add(version)
    session.flush()
    session.add(MergedAmendment(article_version_id=version.id, amendment_id=amendment.id, position=0))
    session.add(AmendmentEvent(amendment_id=amendment.id, kind="accepted", actor_id=user.id, to_version=1))
    amendment.status = status
    amendment.created_article_id = article.id
    session.flush()
    search.index_article(session, article, version.text)
    return article


def publish_from_merge_page(session: Session, actor: User | None, article: Article, *, expected_version: int,
                            message: str, merge: list[int], final_text: str | None,
                            hunks: dict[int, list[int]] | None = None) -> ArticleVersion:
    """The merge page's publish button: the amendments merged as they are (or the hunks ticked) when
    the author left the previewed text alone, credited under the author's edited text otherwise (a
    direct edit without any)."""
    user = bills.require_author(session, session.get(Bill, article.bill_id), actor)
    text = normalise(final_text) if final_text is not None else None
    if merge and text is not None:
        combination = combine(session, article, amendments_to_merge(session, article, merge), hunks)
        if combination.deletes_article or (combination.clean and text == combination.text):
            text = None
    return _publish(session, user, article, expected_version=expected_version, message=message, text=text,
                    merge=merge, hunks=hunks)


def hunks_field(value: dict[str, list[int]] | None) -> dict[int, list[int]] | None:
    """The ``hunks`` of a new version, keyed by amendment id (a 400 naming the field otherwise)."""
    if value is None:
        return None
    try:
        return {int(key): list(indexes) for key, indexes in value.items()}
    except ValueError:
        raise Invalid("hunks", "is keyed by amendment ids") from None
