"""The JSON shapes of CONTRACT §2 as types, so the OpenAPI document describes every answer.

The view functions (``views/json.py``) build these dictionaries; handlers name them as their return
types. ``NotRequired`` keys appear only in some answers (a hidden item, a snapshot with its texts).
"""

from typing import Any, Literal, NotRequired, TypedDict

from litestar.openapi.datastructures import ResponseSpec


# A diff: ``[op, text]`` pairs, ``op`` -1 (deleted), 0 (kept) or 1 (inserted).
Diff = list[list[int | str]]


class ErrorJSON(TypedDict):
    """Every error: the status, a message naming the field at fault, and details."""

    status_code: int
    detail: str
    extra: NotRequired[dict[str, Any]]


# The errors every JSON route may answer (CONTRACT §2 "Errors"), in the OpenAPI document of each.
ERROR_RESPONSES = {
    status: ResponseSpec(data_container=ErrorJSON, description=description, generate_examples=False)
    for status, description in (
        (400, "Malformed or invalid input; the detail names the field (extra.field)."),
        (401, "Not authenticated: send Authorization: Bearer TOKEN."),
        (403, "Not allowed."),
        (404, "Unknown resource."),
        (409, "Conflicting state: stale version, closed consultation, invalid transition, duplicate."),
        (413, "Request body over 1 MiB."),
        (429, "Too many requests: see Retry-After."),
    )
}


class VotesJSON(TypedDict):
    agree: int
    mixed: int
    disagree: int


class OrganizationJSON(TypedDict):
    name: str | None
    declared_interests: str


class DeclarationJSON(TypedDict):
    name: str
    declared_interests: str
    declared_at: str


class UserJSON(TypedDict):
    id: int
    username: str
    display_name: str
    kind: str
    organization: OrganizationJSON | None
    roles: list[str]
    created_by_staff: bool


class MeJSON(UserJSON):
    email: str | None


class TokenJSON(TypedDict):
    token: str


class ParticipantJSON(TypedDict):
    """An account staff opened for a person without e-mail, and its one-time sign-in code (shown once)."""
    user: UserJSON
    sign_in_code: str


class ArticleJSON(TypedDict):
    id: int
    bill: str
    number: str
    heading: str
    position: int
    version: int
    text: str
    removed: bool
    votes: VotesJSON


class BillVersionSummaryJSON(TypedDict):
    seq: int
    label: str
    message: str
    published_at: str | None
    published_by: str


class BillSummaryJSON(TypedDict):
    id: int
    slug: str
    title: str
    summary: str
    status: Literal["draft", "open", "closed"]
    consultation_opens_at: str | None
    consultation_closes_at: str | None
    created_at: str | None


class BillJSON(BillSummaryJSON):
    authors: list[str]
    articles: list[ArticleJSON]
    versions: list[BillVersionSummaryJSON]


class AuthorsJSON(TypedDict):
    bill: str
    author: str
    authors: list[str]


class SnapshotArticleJSON(TypedDict):
    id: int
    number: str
    heading: str
    version: int
    text: NotRequired[str]


class BillVersionJSON(BillVersionSummaryJSON):
    articles: list[SnapshotArticleJSON]


class ArticleVersionJSON(TypedDict):
    version: int
    text: str
    deletes_article: bool
    created_at: str | None
    author: str
    message: str
    merged_amendments: list[int]


ArticleDiffJSON = TypedDict("ArticleDiffJSON", {"from": int, "to": int, "diff": Diff})


class ArticleChangeJSON(TypedDict):
    id: int
    number: str
    heading: str
    change: Literal["added", "removed", "modified", "unchanged"]
    from_version: int | None
    to_version: int | None
    diff: Diff


BillDiffJSON = TypedDict("BillDiffJSON", {"from": int, "to": int, "articles": list[ArticleChangeJSON]})


class BlameSegmentJSON(TypedDict):
    text: str
    version: int
    amendment: int | None
    author: str


class BlameJSON(TypedDict):
    version: int
    segments: list[BlameSegmentJSON]
