"""The tables of the open-data package (CONTRACT §9): each CSV file's description, fields with their
types and constraints, primary and foreign keys, as the Frictionless Table Schema writes them."""
from __future__ import annotations

from typing import Any

from amendments.models import OPINIONS


def _field(name: str, type_: str, description: str, **constraints: Any) -> dict[str, Any]:
    field = {"name": name, "type": type_, "description": description}
    if constraints:
        field["constraints"] = constraints
    return field


def _key(field: str, resource: str, target: str = "id") -> dict[str, Any]:
    return {"fields": field, "reference": {"resource": resource, "fields": target}}


REQUIRED = {"required": True}
TARGET = [_field("article", "integer", "article argued on"), _field("amendment", "integer", "amendment argued on"),
          _field("stance", "string", "for or against", required=True, enum=["for", "against"])]
VOTES = [_field(v, "integer", f"votes '{v}'", required=True, minimum=0) for v in ("agree", "mixed", "disagree")]

# name → (description, fields, primary key, foreign keys)
TABLES: dict[str, tuple[str, list[dict[str, Any]], list[str], list[dict[str, Any]]]] = {
    "bills": ("Bills under consultation", [
        _field("id", "integer", "bill id", **REQUIRED), _field("slug", "string", "the bill's address", **REQUIRED),
        _field("title", "string", "title", **REQUIRED), _field("summary", "string", "summary"),
        _field("status", "string", "draft, open or closed", required=True, enum=["draft", "open", "closed"]),
        _field("consultation_opens_at", "datetime", "when the consultation opens by itself"),
        _field("consultation_closes_at", "datetime", "when it closes by itself"),
        _field("created_at", "datetime", "created", **REQUIRED),
        _field("authors", "string", "usernames of the bill's authors, space-separated"),
    ], ["id"], []),
    "articles": ("Articles; an article keeps its id for life, its texts are in article_versions", [
        _field("id", "integer", "article id", **REQUIRED), _field("bill", "integer", "bill id", **REQUIRED),
        _field("number", "string", "article number", **REQUIRED), _field("heading", "string", "heading"),
        _field("position", "integer", "place in the bill", **REQUIRED),
        _field("division", "integer", "division id (Titre, Chapitre, Section) or empty"),
        _field("version", "integer", "head version", **REQUIRED),
        _field("removed", "boolean", "deleted by its head version", **REQUIRED),
        _field("created_at", "datetime", "created", **REQUIRED),
        *VOTES,
    ], ["id"], [_key("bill", "bills")]),
    "article_versions": ("Every text of every article, numbered from 1", [
        _field("article", "integer", "article id", **REQUIRED), _field("version", "integer", "version", **REQUIRED),
        _field("text", "string", "the article's text"),
        _field("deletes_article", "boolean", "this version deletes the article", **REQUIRED),
        _field("author", "string", "username of who wrote the version", **REQUIRED),
        _field("message", "string", "why"), _field("created_at", "datetime", "written", **REQUIRED),
        _field("merged_amendments", "string", "ids of the amendments it merged, space-separated, in order"),
        _field("merged_hunks", "string", "the changes it took of the amendments it merged in part, as "
               "amendment:hunk pairs (hunks numbered from 0 as GET /api/v1/amendments/{id}/hunks numbers them), "
               "space-separated; empty when each was merged whole", pattern=r"\d+:\d+( \d+:\d+)*"),
    ], ["article", "version"], [_key("article", "articles")]),
    "bill_versions": ("Published snapshots of a bill: one row per article it holds", [
        _field("bill", "integer", "bill id", **REQUIRED), _field("seq", "integer", "snapshot number", **REQUIRED),
        _field("label", "string", "label", **REQUIRED), _field("message", "string", "message"),
        _field("published_at", "datetime", "published", **REQUIRED),
        _field("published_by", "string", "username", **REQUIRED),
        _field("article", "integer", "article id", **REQUIRED),
        _field("article_version", "integer", "the article's version in this snapshot", **REQUIRED),
        _field("number", "string", "article number then", **REQUIRED), _field("heading", "string", "heading then"),
        _field("position", "integer", "place then", **REQUIRED),
    ], ["bill", "seq", "article"], [_key("bill", "bills"), _key(["article", "article_version"], "article_versions",
                                                                 ["article", "version"])]),
    "amendments": ("Proposed changes: modify or delete an article, or insert a new one", [
        _field("id", "integer", "amendment id", **REQUIRED), _field("bill", "integer", "bill id", **REQUIRED),
        _field("kind", "string", "modify, delete or insert", required=True, enum=["modify", "delete", "insert"]),
        _field("article", "integer", "article amended (empty for an insertion)"),
        _field("after_article", "integer", "insertion: the article it goes after (empty: first)"),
        _field("created_article", "integer", "insertion merged: the article it became"),
        _field("parent", "integer", "sub-amendment: the amendment it amends (its diff base is that one's text)"),
        _field("author", "string", "proposer's username", **REQUIRED),
        _field("entered_by", "string", "username of the bill's staff who entered it for its author"),
        _field("cosigners", "string", "co-signers' usernames, space-separated"),
        _field("title", "string", "title (empty when hidden)"),
        _field("explanation", "string", "explanation (empty when hidden)"),
        _field("heading", "string", "insertion: heading of the new article"),
        _field("status", "string", "state", required=True,
               enum=["open", "conflict", "accepted", "rejected", "withdrawn"]),
        _field("base_version", "integer", "the article version it amends (its diff base)"),
        _field("text", "string", "the article as proposed (empty when hidden)"),
        _field("diff", "string", "word diff against the base, JSON [[op, text], ...] (empty when hidden)"),
        _field("response", "string", "the authors' latest public answer"),
        _field("wording", "string", "the amendment as a parliament files it (empty when hidden)"),
        _field("opinion", "string", "the authors' latest official opinion", enum=list(OPINIONS)),
        _field("partial", "boolean", "accepted for some of its changes only (see article_versions.merged_hunks)"),
        _field("fallen", "string", "why it fell, when it did"),
        _field("identical_to", "string", "ids of the amendments identical to it, space-separated"),
        *VOTES,
        _field("hidden", "boolean", "hidden by moderation (see moderation)", **REQUIRED),
        _field("created_at", "datetime", "proposed", **REQUIRED),
    ], ["id"], [_key("bill", "bills"), _key("article", "articles"), _key("parent", "amendments")]),
    "answers": ("Public answers of the bill's authors to amendments (a rejection carries one)", [
        _field("id", "integer", "answer id", **REQUIRED), _field("amendment", "integer", "amendment id", **REQUIRED),
        _field("kind", "string", "respond or reject", required=True, enum=["respond", "reject"]),
        _field("body", "string", "the answer", **REQUIRED), _field("author", "string", "username", **REQUIRED),
        _field("created_at", "datetime", "answered", **REQUIRED),
    ], ["id"], [_key("amendment", "amendments")]),
    "positions": ("Distinct reasons: an argument with the near-duplicates grouped under it", [
        _field("id", "integer", "position id (its first argument's id)", **REQUIRED), *TARGET,
        _field("label", "string", "the reason, as its first argument words it"),
        _field("representative", "integer", "argument id", **REQUIRED),
        _field("arguments", "string", "argument ids, space-separated"),
        _field("supporters", "integer", "distinct people: authors and supporters of its arguments", **REQUIRED),
    ], ["id"], [_key("article", "articles"), _key("amendment", "amendments")]),
    "arguments": ("Arguments for and against articles and amendments", [
        _field("id", "integer", "argument id", **REQUIRED), *TARGET,
        _field("body", "string", "the argument (empty when hidden)"),
        _field("author", "string", "username", **REQUIRED),
        _field("supporters", "string", "usernames of who joined it, space-separated"),
        _field("useful", "integer", "how many people found it useful", **REQUIRED),
        _field("similar_to", "integer", "the argument it closely resembles"),
        _field("position", "integer", "its position (empty when hidden)"),
        _field("hidden", "boolean", "hidden by moderation (see moderation)", **REQUIRED),
        _field("created_at", "datetime", "written", **REQUIRED),
    ], ["id"], [_key("article", "articles"), _key("amendment", "amendments"), _key("position", "positions"),
                _key("similar_to", "arguments")]),
    "moderation": ("The public trash: contributions hidden by moderation, with the public reason", [
        _field("bill", "integer", "bill id", **REQUIRED),
        _field("target", "string", "amendment, argument or source", required=True,
               enum=["amendment", "argument", "source"]),
        _field("id", "integer", "the hidden item's id", **REQUIRED),
        _field("title", "string", "what it was", **REQUIRED), _field("author", "string", "username", **REQUIRED),
        _field("reason", "string", "the moderator's public reason", **REQUIRED),
        _field("at", "datetime", "hidden", **REQUIRED),
    ], ["target", "id"], [_key("bill", "bills")]),
}
