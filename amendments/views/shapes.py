"""The JSON shapes of CONTRACT §2 for amendments, votes, arguments, sources and moderation, as types
for the OpenAPI document (the dictionaries come from ``views/json.py`` and the participation views)."""

from typing import Literal, NotRequired, TypedDict

from drafting.views.shapes import Diff, OrganizationJSON, VotesJSON

class HiddenJSON(TypedDict):
    reason: str
    at: str | None

class AmendmentJSON(TypedDict):
    id: int
    kind: Literal["modify", "delete", "insert"]
    article: int | None
    bill: str
    author: str
    entered_by: str | None  # staff who entered it for an assisted participant (on_behalf_of)
    cosigners: list[str]
    title: str | None
    explanation: str | None
    status: Literal["open", "conflict", "accepted", "rejected", "withdrawn"]
    base_version: int | None
    text: str | None
    diff: Diff | None
    votes: VotesJSON
    response: str | None
    created_at: str | None
    after_article: int | None
    heading: str | None
    created_article: int | None
    hidden: NotRequired[HiddenJSON]
    # The authors' desk (CONTRACT §8): null wording when hidden, the latest official opinion, the
    # parent of a sub-amendment, a partial merge, why it fell, the other amendments identical to it.
    wording: str | None
    opinion: Literal["favorable", "defavorable", "sagesse", "retrait", "satisfait"] | None
    parent: int | None
    partial: bool
    fallen: str | None
    identical_to: list[int]

class VoteAnswerJSON(TypedDict):
    """The target's tallies, at the top level and under ``votes``, and the caller's vote."""

    agree: int
    mixed: int
    disagree: int
    votes: VotesJSON
    vote: Literal["agree", "mixed", "disagree"] | None

class ArgumentJSON(TypedDict):
    id: int
    article: int | None
    amendment: int | None
    stance: Literal["for", "against"]
    body: str | None
    author: str
    author_organization: OrganizationJSON | None
    entered_by: str | None  # staff who entered it for an assisted participant (on_behalf_of)
    supporters: list[str]
    useful: int
    similar_to: int | None
    created_at: str | None
    hidden: NotRequired[HiddenJSON]

class UsefulJSON(TypedDict):
    useful: int

class SourceJSON(TypedDict):
    id: int
    article: int | None
    amendment: int | None
    title: str | None
    url: str | None
    note: str | None
    author: str
    author_organization: OrganizationJSON | None
    created_at: str | None
    hidden: NotRequired[HiddenJSON]

class ReportJSON(TypedDict):
    id: int
    target: str
    target_id: int
    reason: str
    reporter: str
    status: Literal["pending", "settled"]
    decision: int | None
    created_at: str | None

class DecisionJSON(TypedDict):
    id: int
    action: str
    target: str
    target_id: int
    reason: str | None
    moderator: str
    at: str | None

class HideJSON(DecisionJSON):
    hidden: HiddenJSON

class TrashItemJSON(TypedDict):
    target: str
    id: int
    title: str | None
    author: str
    reason: str | None
    at: str | None

# --- the synthesis of a consultation (CONTRACT §7) --------------------------------------------------

class SynthesisDayJSON(TypedDict):
    """``participants``: the people who made a visible contribution that day (each once)."""

    date: str
    votes: int
    amendments: int
    arguments: int
    participants: int

class SynthesisPositionJSON(TypedDict):
    id: int
    stance: Literal["for", "against"]
    label: str
    supporters: int
    citizens: int
    organizations: int

class SynthesisArticleJSON(TypedDict):
    """``positions``: the most supported positions of each stance (three at most), largest first;
    ``positions_total``: how many the article has in all."""

    id: int
    number: str
    votes: VotesJSON
    amendments: int
    arguments: int
    positions: list[SynthesisPositionJSON]
    positions_total: int

class SynthesisJSON(TypedDict):
    """``answered`` and ``awaiting_answer`` count the ten most supported amendments (most agree votes)
    that got an official answer (an opinion, a response, or a merge) and those still waiting."""

    participants: int
    citizens: int
    organizations: int
    votes: int
    amendments: int
    arguments: int
    by_day: list[SynthesisDayJSON]
    articles: list[SynthesisArticleJSON]
    answered: int
    awaiting_answer: int

class FollowJSON(TypedDict):
    """A follow (issue 13, an extension of the contract): ``type`` and ``id`` name the target."""
    type: Literal["bill", "article", "amendment"]
    id: int
    bill: str
    title: str
    created_at: str | None

class ChangeJSON(TypedDict):
    kind: Literal["bill_version", "article_version", "response", "opinion", "rebased", "conflict", "superseded",
                  "accepted", "fell", "position"]
    at: str | None
    bill: str
    article: int | None
    amendment: int | None
    version: int | None
    text: str
    actor: str | None
    mine: bool

class ChangesJSON(TypedDict):
    since: str | None
    items: list[ChangeJSON]

class FeedJSON(TypedDict):
    feed: str
