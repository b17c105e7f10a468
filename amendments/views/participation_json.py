"""The JSON shapes of votes, arguments, sources, reports and moderation decisions (CONTRACT §2)."""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from amendments.models import Argument, ModerationDecision, Report, Source
from amendments.services import arguments, moderation
from drafting.models import User
from drafting.views import json as out


def organization_json(user: User) -> dict[str, str] | None:
    if not user.is_organization:
        return None
    return {"name": user.organization_name or "", "declared_interests": user.declared_interests or ""}


def hidden_json(decision: ModerationDecision) -> dict[str, Any]:
    return {"reason": decision.reason, "at": out.iso(decision.created_at)}


def vote_json(votes: dict[str, int], mine: str | None) -> dict[str, Any]:
    """The target's tallies (at the top level and under ``votes``) and the caller's vote."""
    return {**votes, "votes": votes, "vote": mine}


def arguments_json(session: Session, rows: list[tuple[Argument, int]]) -> list[dict[str, Any]]:
    """Arguments with their supporters and useful counts, in a constant number of queries."""
    ids = [argument.id for argument, _ in rows]
    supporters = arguments.supporters_of(session, ids)
    decisions = moderation.hidden_decisions(session, [argument for argument, _ in rows])
    return [argument_json(argument, useful, supporters.get(argument.id, []), decisions.get(argument.hidden_by_id))
            for argument, useful in rows]


def argument_json(argument: Argument, useful: int, supporters: list[User],
                  decision: ModerationDecision | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": argument.id,
        "article": argument.article_id,
        "amendment": argument.amendment_id,
        "stance": argument.stance,
        "body": argument.body,
        "author": argument.author.username,
        "author_organization": organization_json(argument.author),
        "entered_by": argument.entered_by.username if argument.entered_by_id else None,
        "supporters": [user.username for user in supporters],
        "useful": useful,
        "similar_to": argument.similar_to_id,
        "created_at": out.iso(argument.created_at),
    }
    if decision is not None:
        body["body"] = None
        body["hidden"] = hidden_json(decision)
    return body


def one_argument_json(session: Session, argument: Argument) -> dict[str, Any]:
    useful = arguments.useful_counts(session, [argument.id])[argument.id]
    return arguments_json(session, [(argument, useful)])[0]


def sources_json(session: Session, sources: list[Source]) -> list[dict[str, Any]]:
    decisions = moderation.hidden_decisions(session, sources)
    return [source_json(source, decisions.get(source.hidden_by_id)) for source in sources]


def source_json(source: Source, decision: ModerationDecision | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": source.id,
        "article": source.article_id,
        "amendment": source.amendment_id,
        "title": source.title,
        "url": source.url,
        "note": source.note,
        "author": source.author.username,
        "author_organization": organization_json(source.author),
        "created_at": out.iso(source.created_at),
    }
    if decision is not None:
        body.update(title=None, url=None, note=None, hidden=hidden_json(decision))
    return body


def report_json(report: Report) -> dict[str, Any]:
    return {
        "id": report.id,
        "target": report.target_type,
        "target_id": report.target_id,
        "reason": report.reason,
        "reporter": report.reporter.username,
        "status": "pending" if report.decision_id is None else "settled",
        "decision": report.decision_id,
        "created_at": out.iso(report.created_at),
    }


def decision_json(decision: ModerationDecision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "action": decision.action,
        "target": decision.target_type,
        "target_id": decision.target_id,
        "reason": decision.reason,
        "moderator": decision.moderator.username,
        "at": out.iso(decision.created_at),
    }


def trash_json(item: moderation.TrashItem) -> dict[str, Any]:
    return {"target": item.target, "id": item.id, "title": item.title, "author": item.author.username,
            "reason": item.reason, "at": out.iso(item.at)}
